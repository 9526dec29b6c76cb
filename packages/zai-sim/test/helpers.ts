import { readSseFrames } from '@zai-chat/contract';
import type { Simulator } from '../src/index';

/** POST a chat request to `sim` over loopback; `body` is merged over a minimal valid one. */
export function chat(
  sim: Simulator,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = { authorization: `Bearer ${sim.apiKey}` },
): Promise<Response> {
  return fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: 'Hello' }],
      ...body,
    }),
  });
}

/** The `data:` payloads of a stream, `[DONE]` included. */
export async function frames(res: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readSseFrames(res.body!)) out.push(ev.data);
  return out;
}

/** The wire shapes the tests read; every field is optional because reading it is the test. */
export interface WireToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  [key: string]: unknown;
}
export interface WireDelta {
  role?: string | null;
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: WireToolCall[];
  [key: string]: unknown;
}
export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: unknown;
  [key: string]: unknown;
}
export interface WireChoice {
  index?: number;
  delta?: WireDelta;
  message?: WireDelta;
  finish_reason?: string | null;
  [key: string]: unknown;
}
export interface WebSearchItem {
  title?: string;
  link?: string;
  refer?: string;
  [key: string]: unknown;
}
export interface WireChunk {
  id?: string;
  request_id?: string;
  created?: number;
  model?: string;
  choices?: WireChoice[];
  usage?: WireUsage | null;
  web_search?: WebSearchItem[];
  [key: string]: unknown;
}
export interface WireError {
  error: { code: string; message: string };
}

/** The parsed chunks of a stream (everything before `[DONE]`), after checking `[DONE]` ends it. */
export async function chunks(res: Response): Promise<WireChunk[]> {
  const data = await frames(res);
  if (data.at(-1) !== '[DONE]') throw new Error(`stream did not end with [DONE]: ${data.at(-1)}`);
  return data.slice(0, -1).map((f) => JSON.parse(f) as WireChunk);
}

export const json = async <T = WireChunk>(res: Response): Promise<T> => (await res.json()) as T;

export const deltas = (cs: WireChunk[]): WireDelta[] =>
  cs.flatMap((c) => c.choices?.map((ch) => ch.delta ?? {}) ?? []);

export const text = (cs: WireChunk[]): string =>
  deltas(cs)
    .map((d) => (typeof d.content === 'string' ? d.content : ''))
    .join('');

export const finishReason = (cs: WireChunk[]): string | null | undefined =>
  cs.flatMap((c) => c.choices ?? []).find((ch) => ch.finish_reason)?.finish_reason;

export { signZaiJwt as signJwt } from '../src/auth';
