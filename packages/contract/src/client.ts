import { initClient } from '@ts-rest/core';
import { contract } from './contract';
import {
  type ChatChunk,
  type ChatRequestInput,
  type ErrorBody,
  type ErrorCode,
  ErrorBody as ErrorBodySchema,
} from './schemas';
import { ERRORS, codeForStatus } from './errors';
import { StreamProtocolError, readChatEvents } from './sse';

/** A failed chat, carrying the API's typed error (or one the client derived from what it saw). */
export class ChatApiError extends Error {
  override name = 'ChatApiError';
  constructor(
    readonly body: ErrorBody['error'],
    readonly status?: number,
  ) {
    super(body.message);
  }
  get code(): ErrorCode {
    return this.body.code;
  }
}

export interface ClientOptions {
  /** Origin of the API, e.g. `http://localhost:8000`; empty for same-origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface StreamChatOptions extends ClientOptions {
  signal?: AbortSignal;
}

/** The ts-rest client for the JSON routes (`health`, and `chat` with `stream: false`). */
export function createApiClient(options: Omit<ClientOptions, 'fetch'> = {}) {
  return initClient(contract, {
    baseUrl: options.baseUrl ?? '',
    baseHeaders: options.headers ?? {},
    validateResponse: true,
  });
}

/**
 * Stream a chat through the API. Yields every chunk, validated against the contract, and ends
 * at `data: [DONE]`. Throws ChatApiError for an HTTP error, an error event, or a stream that
 * ends early; an abort through `signal` rejects with the signal's AbortError.
 */
export async function* streamChat(
  request: ChatRequestInput,
  options: StreamChatOptions = {},
): AsyncGenerator<ChatChunk, void, undefined> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(`${options.baseUrl ?? ''}${contract.chat.path}`, {
      method: contract.chat.method,
      headers: {
        'Content-Type': 'application/json',
        Accept: contract.chat.metadata.streamContentType,
        ...options.headers,
      },
      body: JSON.stringify({ ...request, stream: true }),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    // fetch rejects only when no response arrived at all: the API (or the network) is down.
    throw new ChatApiError({
      code: 'api_unreachable',
      message: ERRORS.api_unreachable.message,
      requestId: '',
    });
  }
  const requestId = response.headers.get('x-request-id') ?? '';

  if (!response.ok || !response.body) {
    const parsed = ErrorBodySchema.safeParse(await response.json().catch(() => undefined));
    throw new ChatApiError(
      parsed.success
        ? parsed.data.error
        : {
            code: codeForStatus(response.status),
            message: ERRORS[codeForStatus(response.status)].message,
            requestId,
          },
      response.status,
    );
  }

  let done = false;
  try {
    for await (const event of readChatEvents(response.body)) {
      if (done) continue;
      if (event.type === 'chunk') yield event.chunk;
      // The API ends the response right after [DONE]; reading to that end (rather than
      // cancelling) lets the request complete normally instead of showing as aborted.
      else if (event.type === 'done') done = true;
      else throw new ChatApiError(event.body.error, response.status);
    }
    if (done) return;
  } catch (err) {
    if (err instanceof StreamProtocolError) {
      throw new ChatApiError({ code: 'upstream_protocol', message: err.message, requestId });
    }
    if (err instanceof ChatApiError || options.signal?.aborted) throw err;
    throw new ChatApiError({
      code: 'stream_interrupted',
      message: 'The connection to the API was lost.',
      requestId,
    });
  }
  throw new ChatApiError({
    code: 'stream_interrupted',
    message: 'The stream ended before it was complete.',
    requestId,
  });
}
