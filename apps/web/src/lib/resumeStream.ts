import {
  type ChatChunk,
  ChatApiError,
  resumeChat,
  type StreamChatOptions,
} from '@zai-chat/contract';
import type { StreamRef } from '../chat/types';
import type { BackendPool } from './backendPool';
import { noBackendAnswered, restOf } from './backendStream';
import { unreachable } from './fallbackStream';
import { watchResumes } from './watchResumes';

export interface ResumeStreamOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** The stream's headers again, with the base that now serves it. */
  onStream?: (info: Omit<StreamRef, 'lastEventId'>) => void;
  onEventId?: (id: string) => void;
  onReconnecting?: (on: boolean) => void;
  /** The contract's resumeChat; tests pass their own. */
  resume?: typeof resumeChat;
  fetch?: typeof globalThis.fetch;
}

/**
 * Continue a saved answer from `ref.lastEventId`: through the backend it came from, then
 * the others (every replica of a deployment can serve it). Only the first can say the answer
 * is gone: another backend's "not found" may just be another deployment, so when the first
 * cannot be reached that is the failure (and the caller may try again later). Any other
 * answer of a reachable API (404 `stream_not_found`, 502 `stream_lost`) ends it.
 */
export async function* resumeWithFallback(
  pool: BackendPool,
  ref: StreamRef,
  options: ResumeStreamOptions,
): AsyncGenerator<ChatChunk, void, undefined> {
  const resume = options.resume ?? resumeChat;
  const baseFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const bases = [ref.base, ...pool.order().filter((b) => b !== ref.base)];
  let failure: ChatApiError | undefined;
  for (const [i, base] of bases.entries()) {
    const resumeOptions: StreamChatOptions = {
      baseUrl: base,
      signal: options.signal,
      headers: options.headers,
      fetch: watchResumes(baseFetch, options.onReconnecting),
      onStream: (info) => options.onStream?.({ ...info, base }),
      onEventId: options.onEventId,
    };
    const chunks = resume(ref.streamId, ref.lastEventId, resumeOptions)[Symbol.asyncIterator]();
    let first: IteratorResult<ChatChunk, void>;
    try {
      first = await chunks.next();
    } catch (err) {
      if (options.signal.aborted || !(err instanceof ChatApiError)) throw err;
      if (unreachable(err)) {
        pool.markDown(base);
        failure ??= err;
        continue;
      }
      if (i === 0 || err.code !== 'stream_not_found') throw err;
      continue;
    }
    pool.markUp(base);
    yield* restOf(first, chunks);
    return;
  }
  throw noBackendAnswered(failure);
}
