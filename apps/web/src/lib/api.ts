import {
  type ChatChunk,
  type ChatRequestInput,
  createApiClient,
  stopChat,
} from '@zai-chat/contract';
import type { StreamHooks } from '../chat/controller';
import type { StreamRef } from '../chat/types';
import { AccessKeyStore, KeyPrompt, authHeaders } from './accessKey';
import { streamWithKey } from './authorizedStream';
import { BackendPool } from './backendPool';
import { parseApiBases } from './backends';
import { streamWithFallback } from './fallbackStream';
import { resumeWithFallback } from './resumeStream';

/** The API bases of this build (VITE_API_URL, comma-separated; same origin when unset). */
export const API_BASES: readonly string[] = parseApiBases(
  import.meta.env.VITE_API_URL as string | undefined,
);

const clients = new Map<string, ReturnType<typeof createApiClient>>();

/** The typed JSON client for one base (health, config). */
export function clientFor(base: string) {
  let client = clients.get(base);
  if (!client) clients.set(base, (client = createApiClient({ baseUrl: base })));
  return client;
}

/** Everything the page uses to reach the API, made once per page. */
export interface ApiServices {
  pool: BackendPool;
  keys: AccessKeyStore;
  keyPrompt: KeyPrompt;
  /** A chat stream: the first healthy backend, falling over to the next, with the access key. */
  stream: (
    request: ChatRequestInput,
    signal: AbortSignal,
    hooks: StreamHooks,
  ) => AsyncIterable<ChatChunk>;
  /** Continue an answer saved mid-stream, from its backend first, with the access key. */
  resume: (ref: StreamRef, signal: AbortSignal, hooks: StreamHooks) => AsyncIterable<ChatChunk>;
  /** Stop an answer where it is produced, on the backend it came from. */
  stopStream: (ref: StreamRef, signal: AbortSignal) => Promise<unknown>;
}

export interface ApiServicesOptions {
  /** Chat streams, resumes and stops go through it (tests script it); the browser's by default. */
  fetch?: typeof fetch;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export function createApiServices(
  bases: readonly string[] = API_BASES,
  options: ApiServicesOptions = {},
): ApiServices {
  const pool = new BackendPool(bases, {
    check: async (base, signal) => {
      const res = await clientFor(base).health({ fetchOptions: { signal } });
      // A draining replica answers 503 with its health: it takes no new chats.
      return res.status === 200 && res.body.status !== 'draining' ? res.body : undefined;
    },
  });
  const keys = new AccessKeyStore(options.storage ?? localStorage);
  const { fetch } = options;
  const keyPrompt = new KeyPrompt();
  return {
    pool,
    keys,
    keyPrompt,
    stream: (request, signal, hooks) =>
      streamWithKey(
        (headers) =>
          streamWithFallback(pool, request, {
            signal,
            headers,
            fetch,
            onBackend: hooks.onAnsweredBy,
            onStream: hooks.onStream,
            onEventId: hooks.onEventId,
            onReconnecting: hooks.onReconnecting,
          }),
        keys,
        keyPrompt,
        signal,
      ),
    resume: (ref, signal, hooks) =>
      streamWithKey(
        (headers) =>
          resumeWithFallback(pool, ref, {
            signal,
            fetch,
            headers,
            onStream: hooks.onStream,
            onEventId: hooks.onEventId,
            onReconnecting: hooks.onReconnecting,
          }),
        keys,
        keyPrompt,
        signal,
      ),
    stopStream: (ref, signal) =>
      stopChat(ref.streamId, {
        baseUrl: ref.base,
        headers: authHeaders(keys.get()),
        signal,
        fetch,
      }),
  };
}
