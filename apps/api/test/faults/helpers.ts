import {
  ChatChunk,
  DONE_SENTINEL,
  ERROR_EVENT,
  ErrorBody,
  type SseFrame,
} from '@zai-chat/contract';
import { expect } from 'vitest';
import { framesOf, userMessage } from '../stack';

/** POST /api/chat over a real socket and read the whole body as text. */
export async function postChat(
  baseUrl: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<{ res: Response; text: string }> {
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
  return { res, text: await res.text() };
}

export const streamOf = (content: string) => ({ ...userMessage(content), stream: true });

/**
 * Split an API stream into its chunks and its terminal frame, asserting on the way that every
 * data frame before the end is a valid ChatChunk (a fault must never corrupt what came before).
 */
export async function splitStream(text: string): Promise<{
  frames: SseFrame[];
  chunks: ChatChunk[];
  error: ErrorBody | undefined;
  done: boolean;
}> {
  const frames = await framesOf(text);
  const chunks: ChatChunk[] = [];
  let error: ErrorBody | undefined;
  let done = false;
  frames.forEach((frame, i) => {
    const last = i === frames.length - 1;
    if (frame.event === ERROR_EVENT) {
      expect(last, 'an error event is the final frame').toBe(true);
      error = ErrorBody.parse(JSON.parse(frame.data));
    } else if (frame.data === DONE_SENTINEL) {
      expect(last, '[DONE] is the final frame').toBe(true);
      done = true;
    } else {
      expect(frame.event).toBeUndefined();
      chunks.push(ChatChunk.parse(JSON.parse(frame.data)));
    }
  });
  return { frames, chunks, error, done };
}

/** The value of one metric series from Prometheus text, or undefined if absent. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      // Both groups are mandatory in the pattern: always present on a match.
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}
