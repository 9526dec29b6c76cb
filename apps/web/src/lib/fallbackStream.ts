import {
  type ChatChunk,
  type ChatRequestInput,
  type StreamChatOptions,
  ChatApiError,
  ERRORS,
  streamChat,
} from '@zai-chat/contract';
import type { StreamRef } from '../chat/types';
import type { BackendPool } from './backendPool';
import { noBackendAnswered, restOf } from './backendStream';
import { watchResumes } from './watchResumes';

/** Which backend answered: its base and, when it says, the API process (`X-Instance-Id`). */
export interface BackendAnswer {
  base: string;
  instance?: string;
}

export interface FallbackOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Called once, when a backend has answered and its stream begins. */
  onBackend?: (answer: BackendAnswer) => void;
  /** The answer's headers: its stream id, whether it is resumable, and the backend's base. */
  onStream?: (info: Omit<StreamRef, 'lastEventId'>) => void;
  /** Each frame's id, just before its chunk. */
  onEventId?: (id: string) => void;
  /** The typed client is resuming a lost connection (true) or has resumed it (false). */
  onReconnecting?: (on: boolean) => void;
  /** The contract's streamChat; tests pass their own. */
  stream?: typeof streamChat;
  fetch?: typeof fetch;
}

/** Nothing reached an API process: the connection failed, or a proxy in front said so. */
export const unreachable = (err: ChatApiError) =>
  err.code === 'api_unreachable' || ERRORS[err.code]?.retry === 'elsewhere';

/**
 * May another backend answer what this one refused before its first chunk? A network error,
 * any 5xx, or a process going away. A 4xx (bad input, a missing key, a rate limit) would be
 * refused the same way elsewhere, so it is not retried.
 */
export function failsOver(err: unknown): err is ChatApiError {
  if (!(err instanceof ChatApiError)) return false;
  return unreachable(err) || (err.status ?? 0) >= 500;
}

/**
 * Stream a chat from the first backend that answers. Bases are tried in the pool's order; one
 * that fails before its first chunk (see `failsOver`) is skipped for the next, so the same
 * message is sent once per backend at most and answered once. After the first chunk the answer
 * belongs to that backend: a later failure is the answer's error, never a second answer.
 */
export async function* streamWithFallback(
  pool: BackendPool,
  request: ChatRequestInput,
  options: FallbackOptions,
): AsyncGenerator<ChatChunk, void, undefined> {
  const stream = options.stream ?? streamChat;
  const baseFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  let failure: ChatApiError | undefined;
  for (const base of pool.order()) {
    let response: Response | undefined;
    const spy: typeof fetch = async (...args) => (response = await baseFetch(...args));
    const streamOptions: StreamChatOptions = {
      baseUrl: base,
      signal: options.signal,
      headers: options.headers,
      // Its own resumes (a lost connection, a replica draining) go through the same fetch.
      fetch: watchResumes(spy, options.onReconnecting),
      onStream: (info) => options.onStream?.({ ...info, base }),
      onEventId: options.onEventId,
    };
    const chunks = stream(request, streamOptions)[Symbol.asyncIterator]();
    let first: IteratorResult<ChatChunk, void>;
    try {
      first = await chunks.next();
    } catch (err) {
      if (options.signal.aborted || !failsOver(err)) throw err;
      // A typed 5xx came from a live API (its upstream failed): it stays where it is in line.
      if (unreachable(err)) pool.markDown(base);
      else pool.markUp(base);
      // The most telling failure wins: an API's own error over "could not be reached".
      if (!failure || !unreachable(err)) failure = err;
      continue;
    }
    pool.markUp(base);
    options.onBackend?.({ base, instance: response?.headers.get('x-instance-id') ?? undefined });
    yield* restOf(first, chunks);
    return;
  }
  throw noBackendAnswered(failure);
}
