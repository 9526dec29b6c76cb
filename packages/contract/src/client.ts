import { initClient } from '@ts-rest/core';
import { HEADERS, contract } from './contract';
import {
  type ChatChunk,
  type ChatRequestInput,
  type ErrorBody,
  type ErrorCode,
  ErrorBody as ErrorBodySchema,
  type StopChatResult,
  StopChatResult as StopChatResultSchema,
} from './schemas';
import { ERRORS, codeForStatus } from './errors';
import { RECONNECT_RETRY_MS, StreamProtocolError, readChatEvents } from './sse';

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
  /**
   * Called once the answer's headers arrived, with its stream id (for `stopChat`, and for
   * `resumeChat` after a reload: save it with the partial answer) and whether it can be
   * resumed. Not called for answers without an id (a response-cache replay).
   */
  onStream?(info: { streamId: string; resumable: boolean }): void;
  /** Called with each frame's id just before its chunk is yielded: save it with the chunk. */
  onEventId?(id: string): void;
  /**
   * Continue a resumable answer through the API's `reconnect` event (a replica shutting
   * down) and through a lost connection, from the last frame received: every chunk is yielded
   * exactly once. `false` ends at the first interruption, as before.
   */
  resume?: boolean | ResumeOptions;
}

export interface ResumeOptions {
  /** Resume attempts in a row that bring no new frame before giving up (default 6). */
  maxAttempts?: number;
  /** First wait before resuming a lost connection, doubled each time (default 250 ms). */
  baseDelayMs?: number;
}

/** The answer was stopped by its owner (`stopChat`, maybe from another tab); what arrived stays. */
export class ChatStoppedError extends Error {
  override name = 'ChatStoppedError';
  constructor(readonly streamId: string) {
    super('The answer was stopped.');
  }
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
 * ends early and cannot be resumed; ChatStoppedError when its owner stopped it; an abort
 * through `signal` rejects with the signal's AbortError. A resumable answer survives a replica
 * shutting down or a lost connection (see `resume`).
 */
export async function* streamChat(
  request: ChatRequestInput,
  options: StreamChatOptions = {},
): AsyncGenerator<ChatChunk, void, undefined> {
  const response = await send(options, `${options.baseUrl ?? ''}${contract.chat.path}`, {
    method: contract.chat.method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...request, stream: true }),
  });
  const streamId = response.headers.get(HEADERS.streamId) ?? undefined;
  const resumable = response.headers.get(HEADERS.streamResumable) === 'true';
  if (streamId) options.onStream?.({ streamId, resumable });
  yield* follow(response, { streamId, resumable, lastEventId: undefined }, options);
}

/**
 * Continue a streamed answer from any replica: the frames after `lastEventId` (all of them
 * when undefined), then the live ones, with the same guarantees as `streamChat`. Throws
 * ChatApiError `stream_not_found` for an unknown, expired or foreign id, `stream_lost` when
 * the replica producing it died (the chunks already received are all there is).
 */
export async function* resumeChat(
  streamId: string,
  lastEventId: string | undefined,
  options: StreamChatOptions = {},
): AsyncGenerator<ChatChunk, void, undefined> {
  const response = await openResume(streamId, lastEventId, options);
  options.onStream?.({ streamId, resumable: true });
  yield* follow(response, { streamId, resumable: true, lastEventId }, options);
}

/** Stop a streamed answer wherever it is produced (what the web app's Stop and Esc call). */
export async function stopChat(
  streamId: string,
  options: ClientOptions & { signal?: AbortSignal } = {},
): Promise<StopChatResult> {
  const path = contract.stopChat.path.replace(':streamId', encodeURIComponent(streamId));
  const response = await send(options, `${options.baseUrl ?? ''}${path}`, {
    method: contract.stopChat.method,
  });
  const parsed = StopChatResultSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new ChatApiError(
      { code: 'upstream_protocol', message: 'The stop answer could not be read.', requestId: '' },
      response.status,
    );
  }
  return parsed.data;
}

interface Cursor {
  streamId: string | undefined;
  resumable: boolean;
  lastEventId: string | undefined;
}

/**
 * Read one answer's events, across as many connections as it takes: a `reconnect` event or a
 * connection that ends early continues through `GET /api/chat/streams/:id` from the last
 * frame seen, when the answer is resumable.
 */
async function* follow(
  first: Response,
  cursor: Cursor,
  options: StreamChatOptions,
): AsyncGenerator<ChatChunk, void, undefined> {
  const policy = resumePolicy(options.resume);
  let response = first;
  let failures = 0;
  for (;;) {
    const requestId = response.headers.get('x-request-id') ?? '';
    let done = false;
    let retryMs: number | undefined;
    let interruption: ChatApiError;
    try {
      for await (const event of readChatEvents(response.body!)) {
        if (done) continue;
        // Frames already read when the caller aborted are not handed out: an abort means stop,
        // and the last event id reported must be the last chunk the caller really took.
        if (options.signal?.aborted) throw options.signal.reason;
        if ('id' in event && event.id) {
          cursor.lastEventId = event.id;
          if (event.type === 'chunk') options.onEventId?.(event.id);
        }
        if (event.type === 'chunk') {
          failures = 0;
          yield event.chunk;
        }
        // The API ends the response right after [DONE]; reading to that end (rather than
        // cancelling) lets the request complete normally instead of showing as aborted.
        else if (event.type === 'done') done = true;
        else if (event.type === 'error') throw new ChatApiError(event.body.error, response.status);
        else if (event.type === 'stopped') throw new ChatStoppedError(event.body.streamId);
        else retryMs = event.retryMs ?? RECONNECT_RETRY_MS;
      }
      if (done) return;
      interruption = new ChatApiError({
        code: 'stream_interrupted',
        message: 'The stream ended before it was complete.',
        requestId,
      });
    } catch (err) {
      if (err instanceof StreamProtocolError) {
        throw new ChatApiError({ code: 'upstream_protocol', message: err.message, requestId });
      }
      if (err instanceof ChatApiError || err instanceof ChatStoppedError) throw err;
      if (options.signal?.aborted) throw err;
      interruption = new ChatApiError({
        code: 'stream_interrupted',
        message: 'The connection to the API was lost.',
        requestId,
      });
    }
    if (!policy || !cursor.resumable || !cursor.streamId) throw interruption;
    // Asked to reconnect (a replica draining): after the server's `retry:` delay. Lost: back
    // off. Either way, bounded while no new frame arrives.
    failures += 1;
    if (failures > policy.maxAttempts) throw interruption;
    response = await reopen(cursor.streamId, cursor, options, policy, retryMs, failures);
  }
}

/** Resume after a wait; transient failures (API unreachable, 503) are retried, bounded. */
async function reopen(
  streamId: string,
  cursor: Cursor,
  options: StreamChatOptions,
  policy: Required<ResumeOptions>,
  retryMs: number | undefined,
  failures: number,
): Promise<Response> {
  let attempt = failures;
  let wait = retryMs ?? policy.baseDelayMs * 2 ** (attempt - 1);
  for (;;) {
    await sleep(wait, options.signal);
    try {
      return await openResume(streamId, cursor.lastEventId, options);
    } catch (err) {
      const transient =
        err instanceof ChatApiError &&
        (err.code === 'api_unreachable' || err.code === 'shutting_down');
      attempt += 1;
      if (!transient || attempt > policy.maxAttempts) throw err;
      wait = policy.baseDelayMs * 2 ** (attempt - 1);
    }
  }
}

function openResume(
  streamId: string,
  lastEventId: string | undefined,
  options: StreamChatOptions,
): Promise<Response> {
  const path = contract.resumeChat.path.replace(':streamId', encodeURIComponent(streamId));
  return send(options, `${options.baseUrl ?? ''}${path}`, {
    method: contract.resumeChat.method,
    headers: lastEventId ? { [HEADERS.lastEventId]: lastEventId } : {},
  });
}

/**
 * fetch with the client's headers; an HTTP error becomes ChatApiError with the API's typed
 * body (or a code derived from the status when a proxy answered).
 */
async function send(
  options: ClientOptions & { signal?: AbortSignal },
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: init.method,
      headers: {
        Accept: `${contract.chat.metadata.streamContentType}, application/json`,
        ...init.headers,
        ...options.headers,
      },
      body: init.body,
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
  if (response.ok && response.body) return response;
  const requestId = response.headers.get('x-request-id') ?? '';
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

function resumePolicy(resume: StreamChatOptions['resume']): Required<ResumeOptions> | undefined {
  if (resume === false) return undefined;
  const given = typeof resume === 'object' ? resume : {};
  return { maxAttempts: given.maxAttempts ?? 6, baseDelayMs: given.baseDelayMs ?? 250 };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
