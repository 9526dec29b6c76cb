import { initContract } from '@ts-rest/core';
import { ApiConfig, ChatCompletion, ChatRequest, ErrorBody, Health } from './schemas';

const c = initContract();

const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  502: ErrorBody,
  503: ErrorBody,
  504: ErrorBody,
} as const;

/**
 * The HTTP contract between the browser and the API. `chat` answers `stream: false` with the
 * JSON below; with `stream: true` (the default) it answers `text/event-stream`, one
 * `data: <ChatChunk>` frame per upstream chunk, `data: [DONE]` last, or an `event: error`
 * frame carrying an ErrorBody (see `sse.ts`). ts-rest's client buffers `text/*`, so streaming
 * callers use `streamChat` from `client.ts`, which is built from this route's path and method.
 */
export const contract = c.router(
  {
    chat: {
      method: 'POST',
      path: '/api/chat',
      contentType: 'application/json',
      body: ChatRequest,
      responses: { 200: ChatCompletion, ...errorResponses },
      summary: 'Chat with a GLM model; streams Server-Sent Events unless stream is false',
      metadata: { streamContentType: 'text/event-stream' } as const,
    },
    config: {
      method: 'GET',
      path: '/api/config',
      responses: { 200: ApiConfig, 401: ErrorBody, 429: ErrorBody },
      summary: 'What this deployment accepts: models and their capabilities, limits, access mode',
    },
    health: {
      method: 'GET',
      path: '/health',
      responses: { 200: Health, 503: Health },
      summary: 'Liveness, version and which upstream (Z.AI or the simulator) is behind the API',
    },
  },
  { strictStatusCodes: true },
);

export type Contract = typeof contract;
