import { initContract } from '@ts-rest/core';
import type { z } from 'zod';
import { ERRORS, type ErrorStatus } from './errors';
import { FAILED_DEPENDENCY, OpenAiChatRequest, OpenAiErrorBody, OpenAiModelList } from './openai';
import { ApiConfig, ChatCompletion, ChatRequest, ErrorBody, Health } from './schemas';

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
      responses: { 200: ChatCompletion, ...apiErrors },
      summary: 'Chat with a GLM model; streams Server-Sent Events unless stream is false',
      metadata: streamMetadata,
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
