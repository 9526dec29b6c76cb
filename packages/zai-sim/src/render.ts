import { messageFrom, type Delta } from './pieces';
import type { Answer } from './plan';

/**
 * How chunks are framed:
 * - `zai`: as Z.AI sends them (`delta.role` on every delta, `usage` and `content_filter` on
 *   the finish chunk, no nulls).
 * - `nulls`: as OpenAI-compatible servers do (`usage: null`, `role: null`, `content: null`,
 *   `logprobs: null`, `finish_reason: null` until the end, `system_fingerprint: null`, a float
 *   `created`, a `delta.role: "tool"` chunk, usage on a final `choices: []` chunk without
 *   `total_tokens` and with `prompt_tokens_details: null`).
 */
export type FrameStyle = 'zai' | 'nulls';

export interface ChunkMeta {
  id: string;
  requestId: string;
  /** Unix seconds (ms precision; `zai` writes it as an integer, `nulls` as a float). */
  created: number;
  model: string;
}

export interface RenderOptions {
  style: FrameStyle;
  /** `stream_options.include_usage`: usage on an extra final chunk with `choices: []`. */
  includeUsage?: boolean;
}

/** The stream's `data:` payloads (JSON text, without `[DONE]`), in order. */
export function renderStream(answer: Answer, meta: ChunkMeta, options: RenderOptions): string[] {
  return options.style === 'nulls'
    ? renderNullsStream(answer, meta)
    : renderZaiStream(answer, meta, options.includeUsage === true);
}

export function renderCompletion(
  answer: Answer,
  meta: ChunkMeta,
  options: RenderOptions,
): Record<string, unknown> {
  const message = messageFrom(answer.pieces);
  if (options.style === 'nulls') {
    return {
      id: meta.id,
      object: 'chat.completion',
      created: floatSeconds(meta.created),
      model: meta.model,
      system_fingerprint: null,
      request_id: meta.requestId,
      choices: [
        {
          index: 0,
          message: {
            ...message,
            reasoning_content: message.reasoning_content ?? null,
            tool_calls: message.tool_calls ?? null,
            refusal: null,
          },
          logprobs: null,
          finish_reason: answer.finishReason,
        },
      ],
      usage: openAiUsage(answer),
      ...answer.top,
    };
  }
  return {
    id: meta.id,
    request_id: meta.requestId,
    created: Math.floor(meta.created),
    model: meta.model,
    object: 'chat.completion',
    choices: [{ index: 0, finish_reason: answer.finishReason, message }],
    usage: answer.usage,
    content_filter: [{ role: 'assistant', level: 3 }],
    ...answer.top,
  };
}

function renderZaiStream(answer: Answer, meta: ChunkMeta, includeUsage: boolean): string[] {
  const envelope = {
    id: meta.id,
    request_id: meta.requestId,
    created: Math.floor(meta.created),
    model: meta.model,
  };
  // Most chunks differ only in their delta: serialise the envelope once.
  const head = JSON.stringify(envelope).slice(0, -1) + ',"choices":[{"index":0,"delta":';
  const frames = answer.pieces.map(({ delta, top }) =>
    top
      ? JSON.stringify({ ...envelope, choices: [{ index: 0, delta }], ...top })
      : `${head}${JSON.stringify(delta)}}]}`,
  );
  frames.push(
    JSON.stringify({
      ...envelope,
      choices: [
        {
          index: 0,
          finish_reason: answer.finishReason,
          delta: { role: 'assistant', content: '' },
        },
      ],
      ...(includeUsage ? {} : { usage: answer.usage }),
      // Z.AI adds top-level fields over time; relays must pass them through.
      content_filter: [{ role: 'assistant', level: answer.finishReason === 'sensitive' ? 1 : 3 }],
    }),
  );
  if (includeUsage) frames.push(JSON.stringify({ ...envelope, choices: [], usage: answer.usage }));
  return frames;
}

function renderNullsStream(answer: Answer, meta: ChunkMeta): string[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: floatSeconds(meta.created),
      model: meta.model,
      system_fingerprint: null,
      request_id: meta.requestId,
      choices,
      usage: null,
      ...extra,
    });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  const frames = [chunk([choice({ role: 'assistant', content: null })])];
  let sentRoleTool = false;
  for (const { delta, top, tokens } of answer.pieces) {
    frames.push(chunk([choice(nullsDelta(delta))], top));
    if (tokens > 0 && !sentRoleTool) {
      // Seen from OpenAI-compatible servers; a relay that validates roles would choke on it.
      frames.push(chunk([choice({ role: 'tool' })]));
      sentRoleTool = true;
    }
  }
  frames.push(chunk([choice({}, answer.finishReason)]));
  frames.push(chunk([], { usage: openAiUsage(answer) }));
  return frames;
}

function nullsDelta(delta: Delta): Record<string, unknown> {
  const { role: _role, content, ...rest } = delta;
  return { role: null, content: content ?? null, ...rest };
}

/** OpenAI-compatible usage as some servers send it: no `total_tokens`, null details. */
function openAiUsage(answer: Answer) {
  return {
    prompt_tokens: answer.usage.prompt_tokens,
    completion_tokens: answer.usage.completion_tokens,
    prompt_tokens_details: null,
  };
}

/** Always a non-integer, so the float survives JSON (an exact second would print as `…0`). */
function floatSeconds(seconds: number): number {
  const value = Math.round(seconds * 1000) / 1000;
  return Number.isInteger(value) ? value + 0.001 : value;
}
