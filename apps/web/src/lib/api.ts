import { type ChatChunk, type ChatRequestInput, createApiClient } from '@zai-chat/contract';
import type { StreamHooks } from '../chat/controller';
import { AccessKeyStore, KeyPrompt } from './accessKey';
import { streamWithKey } from './authorizedStream';
import { BackendPool } from './backendPool';
import { parseApiBases } from './backends';
import { streamWithFallback } from './fallbackStream';

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
  stream(
    request: ChatRequestInput,
    signal: AbortSignal,
    hooks: StreamHooks,
  ): AsyncIterable<ChatChunk>;
}

export function createApiServices(bases: readonly string[] = API_BASES): ApiServices {
  const pool = new BackendPool(bases, {
    check: async (base, signal) => {
      const res = await clientFor(base).health({ fetchOptions: { signal } });
      // A draining replica answers 503 with its health: it takes no new chats.
      return res.status === 200 && res.body.status !== 'draining' ? res.body : undefined;
    },
  });
  const keys = new AccessKeyStore(localStorage);
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
            onBackend: hooks.onAnsweredBy,
          }),
        keys,
        keyPrompt,
        signal,
      ),
  };
}
