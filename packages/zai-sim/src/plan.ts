import { answerFor, markdownAnswer, reasoningFor, splitIntoChunks } from './answers';
import {
  contentPieces,
  countTokens,
  reasoningPieces,
  truncateToTokens,
  type Piece,
} from './pieces';
import { automaticScenario, type Scenario, type ScenarioName } from './scenarios';
import { planCalls, toolCallPieces, type ToolRequest } from './tools';
import { citingText, hostileWebSearchResults, webSearchResults } from './websearch';

/** What the answer depends on besides the scenario. */
export interface AnswerRequest {
  /** Text of the last user message. */
  prompt: string;
  /** Size of the conversation in characters, for `prompt_tokens`. */
  promptChars: number;
  thinking: boolean;
  tools: ToolRequest;
  /** Set when the last message is a tool result: the model answers it in words. */
  toolResult?: string;
  maxTokens?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export interface Answer {
  pieces: Piece[];
  finishReason: 'stop' | 'length' | 'tool_calls' | 'sensitive' | 'network_error';
  usage: Usage;
  /** Top-level fields of the non-streamed completion (e.g. `web_search`). */
  top: Record<string, unknown>;
}

/** Scenarios that change only how the answer is framed or written, not what it says. */
const FRAMING_SCENARIOS: ReadonlySet<ScenarioName> = new Set(['nulls', 'split']);

/** Scenarios whose stream stops a third of the way with another finish reason. */
const CUT_SHORT: Partial<Record<ScenarioName, Answer['finishReason']>> = {
  sensitive: 'sensitive',
  length: 'length',
  'network-error': 'network_error',
};

/** Multi-byte characters (2, 3 and 4 bytes in UTF-8) for `split` to cut across writes. */
export const SPLIT_TEXT_PREFIX = 'UTF-8 across writes: café, 你好, 🙂. ';

/** Decide what the answer says: its stream pieces, finish reason and usage. */
export function planAnswer(scenario: Scenario, request: AnswerRequest): Answer {
  const { params } = scenario;
  const kind = FRAMING_SCENARIOS.has(scenario.name)
    ? automaticScenario({
        thinkingEnabled: request.thinking,
        wantsTools: request.tools.wantsTools,
        wantsWebSearch: request.tools.wantsWebSearch,
      })
    : scenario.name;
  const chunkCount = params.chunks ?? (kind === 'slow' ? 50 : 30);
  const withReasoning =
    kind === 'reasoning' || (request.thinking && (kind === 'tools' || kind === 'web-search'));
  const reasoning = withReasoning
    ? reasoningPieces(splitIntoChunks(reasoningFor(request.prompt), 10))
    : [];
  const top: Record<string, unknown> = {};

  let pieces: Piece[];
  let finishReason: Answer['finishReason'] = 'stop';
  if (kind === 'tools' && request.toolResult === undefined) {
    pieces = toolCallPieces(planCalls(request.tools, params.calls ?? 1));
    finishReason = 'tool_calls';
  } else if (kind === 'markdown') {
    const text = markdownAnswer(params.size ?? 4000);
    pieces = contentPieces(splitIntoChunks(text, params.chunks ?? Math.ceil(text.length / 40)));
  } else {
    let text = answerFor(request.prompt, chunkCount * 2);
    if (request.toolResult !== undefined) {
      text = `The tool returned "${Array.from(request.toolResult).slice(0, 40).join('')}". ${text}`;
    }
    if (scenario.name === 'split') text = SPLIT_TEXT_PREFIX + text;
    pieces = contentPieces(splitIntoChunks(text, chunkCount));
    if (kind === 'web-search') {
      const results =
        params.hostile === 1
          ? hostileWebSearchResults(params.results ?? 3)
          : webSearchResults(params.results ?? 3, request.prompt);
      top.web_search = results;
      pieces = [
        // Z.AI sends the results first, on a chunk of their own, before any text.
        { delta: { role: 'assistant' }, top: { web_search: results }, tokens: 0 },
        ...contentPieces(splitIntoChunks(citingText(results) + text, chunkCount)),
      ];
    }
    const cutShort = CUT_SHORT[kind];
    if (cutShort) {
      finishReason = cutShort;
      pieces = pieces.slice(0, Math.ceil(pieces.length / 3));
    }
  }
  pieces = [...reasoning, ...pieces];

  if (request.maxTokens !== undefined && request.maxTokens < countTokens(pieces)) {
    pieces = truncateToTokens(pieces, request.maxTokens);
    finishReason = 'length';
  }
  const promptTokens = Math.ceil(request.promptChars / 4);
  const completionTokens = countTokens(pieces);
  return {
    pieces,
    finishReason,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
    },
    top,
  };
}
