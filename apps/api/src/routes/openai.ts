import type { contract } from '@zai-chat/contract';
import {
  type ChatCompletion,
  type OpenAiChatRequest,
  type OpenAiModelList,
  encodeDataFrame,
  openAiErrorBody,
  ERRORS,
} from '@zai-chat/contract';
import type { AppRouteOptions } from '@ts-rest/express';
import type { RequestHandler } from 'express';
import { type ChatDeps, type ErrorFrame, runExchange } from '../chat/exchange';
import type { Config } from '../config';
import { openAiError } from '../http/errors';
import { checkLimits, describeIssues } from '../http/validation';
import { announceModel, logContent, streamed } from './chat';

/**
 * Mid-stream errors on `/v1` are a data frame `{"error":{…}}`, as OpenAI sends them: the
 * openai SDK raises an APIError for it and the AI SDK emits an error part.
 */
const openAiErrorFrame: ErrorFrame = (code) =>
  encodeDataFrame(JSON.stringify(openAiErrorBody(code, ERRORS[code].message)));

/** OpenAI's names → Z.AI's: `max_completion_tokens` is sent as `max_tokens`. */
export function toZaiRequest(request: OpenAiChatRequest, defaultModel: string) {
  const { max_completion_tokens, ...rest } = request;
  const maxTokens = rest.max_tokens ?? max_completion_tokens ?? undefined;
  return {
    ...rest,
    model: rest.model ?? defaultModel,
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
  };
}

/** POST /v1/chat/completions: the same exchange as /api/chat, in OpenAI's conventions. */
export function chatCompletionsRoute(
  deps: ChatDeps,
  middleware: RequestHandler[],
): AppRouteOptions<typeof contract.openAi.chatCompletions> {
  const { config } = deps;
  return {
    middleware,
    handler: async ({ body, req, res }) => {
      const request = toZaiRequest(body, config.upstream.defaultModel);
      const refusal = checkLimits(request, config.limits);
      if (refusal) {
        return openAiError(req, res, refusal.code, {
          message: describeIssues(refusal.issues),
          issues: refusal.issues,
        });
      }
      logContent(req, config.logContent, request.messages);
      const result = await runExchange(req, res, request, deps, openAiErrorFrame);
      announceModel(res, result);
      if (result.kind === 'failed') {
        return openAiError(req, res, result.code, {
          retryAfter: result.retryAfter,
          final: result.final,
        });
      }
      if (result.kind === 'json') return { status: 200, body: result.body as ChatCompletion };
      return streamed(result.body);
    },
  };
}

/** GET /v1/models: the configured catalogue in OpenAI's list shape, capabilities alongside. */
export function modelList(config: Config, created: number): OpenAiModelList {
  return {
    object: 'list',
    data: config.upstream.models.map((m) => ({
      id: m.id,
      object: 'model' as const,
      created,
      owned_by: 'z-ai',
      name: m.name ?? m.id,
      capabilities: { vision: m.vision, reasoning: m.reasoning, tools: m.tools },
    })),
  };
}
