import { ChatApiError, ERRORS } from '@zai-chat/contract';

/**
 * The rest of a backend's stream, after its first result was read to learn whether that
 * backend answers (the fallback and the resume both try backends in turn this way).
 */
export async function* restOf<T>(
  first: IteratorResult<T, void>,
  chunks: AsyncIterator<T, void>,
): AsyncGenerator<T, void, undefined> {
  if (first.done) return;
  yield first.value;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    yield next.value;
  }
}

/** What trying every backend ends with: the most telling failure seen, else `api_unreachable`. */
export function noBackendAnswered(failure: ChatApiError | undefined): ChatApiError {
  return (
    failure ??
    new ChatApiError({
      code: 'api_unreachable',
      message: ERRORS.api_unreachable.message,
      requestId: '',
    })
  );
}
