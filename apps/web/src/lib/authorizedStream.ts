import { type ChatChunk, ChatApiError } from '@zai-chat/contract';
import { type AccessKeyStore, type KeyPrompt, authHeaders } from './accessKey';

/**
 * Run `attempt` with the stored access key. When the API answers the contract's typed
 * `401 unauthorized`, ask the user for a key (`rejected` when one was sent and refused), store
 * it and run the same attempt again; the answer the user waits for is the same one, so the
 * message is neither lost nor sent twice. Closing the dialog ends it with the 401.
 */
export async function* streamWithKey(
  attempt: (headers: Record<string, string>) => AsyncIterable<ChatChunk>,
  keys: AccessKeyStore,
  prompt: KeyPrompt,
  signal: AbortSignal,
): AsyncGenerator<ChatChunk, void, undefined> {
  for (;;) {
    const key = keys.get();
    let started = false;
    try {
      for await (const chunk of attempt(authHeaders(key))) {
        started = true;
        yield chunk;
      }
      return;
    } catch (err) {
      const unauthorized = err instanceof ChatApiError && err.code === 'unauthorized';
      if (!unauthorized || started || signal.aborted) throw err;
      const entered = await prompt.ask(key ? 'rejected' : 'required', signal);
      if (signal.aborted || !entered || !keys.set(entered)) throw err;
    }
  }
}
