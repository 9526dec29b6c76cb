import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ERRORS, type ErrorStatus } from './errors';
import { FAILED_DEPENDENCY, OpenAiChatRequest, OpenAiErrorBody, OpenAiModelList } from './openai';
import {
  ApiConfig,
  ChatCompletion,
  ChatRequest,
  ErrorBody,
  Health,
  LastEventId,
  StopChatResult,
  StreamId,
} from './schemas';

const c = initContract();

/** Every status an ERRORS code maps to, with `body` as its schema: derived, never listed by hand. */
function errorResponses<B extends z.ZodTypeAny>(body: B): Record<ErrorStatus, B> {
  const statuses = [...new Set(Object.values(ERRORS).map((e) => e.status))];
  return Object.fromEntries(statuses.map((s) => [s, body])) as Record<ErrorStatus, B>;
}

const apiErrors = errorResponses(ErrorBody);
const openAiErrors = { ...errorResponses(OpenAiErrorBody), [FAILED_DEPENDENCY]: OpenAiErrorBody };

/** Streamed routes answer `text/event-stream` with 200; see `sse.ts` for the frames. */
const streamMetadata = { streamContentType: 'text/event-stream' } as const;

/** Header names of resumable streams and of the response cache (lower case, as HTTP/2 sends). */
export const HEADERS = {
  /** Response: the answer's stream id (streamed `/api/chat` answers). */
  streamId: 'x-stream-id',
  /** Response: `true` when the answer can be resumed from any replica (Redis was reachable). */
  streamResumable: 'x-stream-resumable',
  /** Request (resume): the id of the last frame received; absent = from the first frame. */
  lastEventId: 'last-event-id',
  /** Response: `hit` (replayed from the response cache, no upstream call) or `miss`. */
  cache: 'x-cache',
  /**
   * Request: `allow` opts this request into the response cache even without `temperature: 0`,
   * and even with tools or images (which are never cached otherwise).
   */
  cacheOptIn: 'x-response-cache',
} as const;

/** Headers a chat request may carry (ts-rest passes the others through untouched). */
const chatHeaders = z.object({ [HEADERS.cacheOptIn]: z.enum(['allow']).optional() });

/** The SSE body of a resumed stream: the same frames as the chat stream. */
const sseBody = c.otherResponse({ contentType: 'text/event-stream', body: z.string() });
/**
 * The HTTP contract of the API. Every route the API serves is here, and the API serves each
 * through ts-rest (`createExpressEndpoints`), so a handler can only answer statuses listed
 * here (strictStatusCodes) and `/openapi.json` is generated from this object.
 *
 * `chat` answers `stream: false` with the JSON below; with `stream: true` (the default) it
 * answers `text/event-stream`: one `data: <ChatChunk>` frame per upstream chunk (the
 * upstream's own bytes), `data: [DONE]` last, or an `event: error` frame carrying an ErrorBody.
 * ts-rest's client buffers `text/*`, so streaming callers use `streamChat` from `client.ts`.
 */
export const contract = c.router(
  {
    chat: {
      method: 'POST',
      path: '/api/chat',
      contentType: 'application/json',
      body: ChatRequest,
      headers: chatHeaders,
      responses: { 200: ChatCompletion, ...apiErrors },
      summary: 'Chat with a GLM model; streams Server-Sent Events unless stream is false',
      metadata: streamMetadata,
    },
    resumeChat: {
      method: 'GET',
      path: '/api/chat/streams/:streamId',
      pathParams: z.object({ streamId: StreamId }),
      headers: z.object({ [HEADERS.lastEventId]: LastEventId.optional() }),
      responses: { 200: sseBody, ...apiErrors },
      summary:
        'Continue a streamed answer after the frame named by Last-Event-ID (from any replica): the missed frames, then the live ones',
      metadata: streamMetadata,
    },
    stopChat: {
      method: 'POST',
      path: '/api/chat/streams/:streamId/stop',
      pathParams: z.object({ streamId: StreamId }),
      body: c.noBody(),
      responses: { 200: StopChatResult, ...apiErrors },
      summary: 'Stop a streamed answer now (its upstream request is aborted, wherever it runs)',
    },
    config: {
      method: 'GET',
      path: '/api/config',
      responses: { 200: ApiConfig, ...apiErrors },
      summary: 'What this deployment accepts: models and their capabilities, limits, access mode',
    },
    health: {
      method: 'GET',
      path: '/health',
      responses: { 200: Health, 503: Health },
      summary: 'Liveness, version, replica and which upstream (Z.AI or the simulator) is behind it',
    },
    openAi: {
      chatCompletions: {
        method: 'POST',
        path: '/v1/chat/completions',
        contentType: 'application/json',
        body: OpenAiChatRequest,
        headers: chatHeaders,
        responses: { 200: ChatCompletion, ...openAiErrors },
        summary:
          'OpenAI-compatible chat completions: JSON unless stream is true, then Server-Sent Events',
        metadata: streamMetadata,
      },
      models: {
        method: 'GET',
        path: '/v1/models',
        responses: { 200: OpenAiModelList, ...openAiErrors },
        summary: 'The models this deployment offers, in OpenAI’s list shape',
      },
    },
  },
  { strictStatusCodes: true },
);

export type Contract = typeof contract;
