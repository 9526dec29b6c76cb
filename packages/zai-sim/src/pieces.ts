/**
 * An answer is planned as the ordered deltas of its stream ("pieces"); the non-streamed
 * message is reassembled from the same pieces, so both forms always say the same thing.
 */

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface Delta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface Piece {
  delta: Delta;
  /** Top-level fields of the chunk that carries this piece (e.g. `web_search`). */
  top?: Record<string, unknown>;
  /** Completion tokens the piece stands for: 1 per content, reasoning or argument chunk. */
  tokens: number;
}

export const contentPieces = (texts: string[]): Piece[] =>
  texts.map((content) => ({ delta: { role: 'assistant', content }, tokens: 1 }));

export const reasoningPieces = (texts: string[]): Piece[] =>
  texts.map((reasoning_content) => ({
    delta: { role: 'assistant', reasoning_content },
    tokens: 1,
  }));

export const countTokens = (pieces: Piece[]): number =>
  pieces.reduce((sum, p) => sum + p.tokens, 0);

/** Keep pieces until `maxTokens` tokens were spent; the rest is cut, as a length stop does. */
export function truncateToTokens(pieces: Piece[], maxTokens: number): Piece[] {
  const kept: Piece[] = [];
  let spent = 0;
  for (const piece of pieces) {
    if (spent + piece.tokens > maxTokens) {
      // A tool call's header right before the cut would announce a call with no arguments.
      while (kept.at(-1)?.tokens === 0) kept.pop();
      break;
    }
    spent += piece.tokens;
    kept.push(piece);
  }
  return kept;
}

export interface AssistantMessage {
  role: 'assistant';
  /** null when the answer is only tool calls, as OpenAI and Z.AI send it. */
  content: string | null;
  reasoning_content?: string;
  tool_calls?: {
    id: string;
    index: number;
    type: 'function';
    function: { name: string; arguments: string };
  }[];
}

/** The non-streamed `message` the pieces add up to. */
export function messageFrom(pieces: Piece[]): AssistantMessage {
  let content = '';
  let reasoning = '';
  let sawContent = false;
  const calls = new Map<number, NonNullable<AssistantMessage['tool_calls']>[number]>();
  for (const { delta } of pieces) {
    if (delta.content !== undefined) {
      content += delta.content;
      sawContent = true;
    }
    if (delta.reasoning_content !== undefined) reasoning += delta.reasoning_content;
    for (const call of delta.tool_calls ?? []) {
      const existing = calls.get(call.index);
      if (existing) existing.function.arguments += call.function.arguments;
      else {
        calls.set(call.index, {
          id: call.id ?? '',
          index: call.index,
          type: 'function',
          function: { name: call.function.name ?? '', arguments: call.function.arguments },
        });
      }
    }
  }
  const toolCalls = [...calls.values()];
  return {
    role: 'assistant',
    content: sawContent || toolCalls.length === 0 ? content : null,
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}
