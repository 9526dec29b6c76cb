import { contract } from '@zai-chat/contract';

const RESUME_PATH = contract.resumeChat.path.slice(0, contract.resumeChat.path.indexOf(':'));

/**
 * `fetch` that reports the typed client's resumes: `onReconnecting(true)` when it opens
 * `GET /api/chat/streams/:id` (its connection was lost, or a replica asked it to move), and
 * `false` once that request is answered with the stream.
 */
export function watchResumes(
  fetch: typeof globalThis.fetch,
  onReconnecting: ((on: boolean) => void) | undefined,
): typeof globalThis.fetch {
  if (!onReconnecting) return fetch;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const resuming = url.includes(RESUME_PATH) && (init?.method ?? 'GET') === 'GET';
    if (resuming) onReconnecting(true);
    const response = await fetch(input, init);
    if (resuming && response.ok) onReconnecting(false);
    return response;
  };
}
