import type { contract } from '@zai-chat/contract';
import { type ChatCompletion, encodeErrorFrame } from '@zai-chat/contract';
import type { AppRouteOptions } from '@ts-rest/express';
import type { Request, RequestHandler, Response } from 'express';
import {
  API_SURFACE,
  type ChatDeps,
  type ErrorFrame,
  type ExchangeResult,
  runExchange,
} from '../chat/exchange';
import { apiError, errorBody } from '../http/errors';
import type { SseBody } from '../http/sse-body';
import { checkLimits, describeIssues } from '../http/validation';

/** ts-rest pipes a Stream body to the response; its types only know the JSON body (one cast, here). */
export const streamed = (body: SseBody) => ({
  status: 200 as const,
  body: body as unknown as ChatCompletion,
});

/** Which model answered: the requested one, or a fallback after Z.AI's 1312. */
export function announceModel(res: Response, result: ExchangeResult): void {
  if (result.kind !== 'failed') res.setHeader('X-Model', result.model);
}

const apiErrorFrame: ErrorFrame = (code, requestId, retryAfter) =>
  encodeErrorFrame(errorBody(code, requestId, retryAfter !== undefined ? { retryAfter } : {}));

/**
 * POST /api/chat, served through the contract: ts-rest has already checked the body against
 * `ChatRequest` (a mismatch never reaches here; see `schemaErrorHandler`), so this checks the
 * deployment's limits, then runs the exchange. Every return is a status the contract lists.
 */
export function chatRoute(
  deps: ChatDeps,
  middleware: RequestHandler[],
): AppRouteOptions<typeof contract.chat> {
  const { config } = deps;
  return {
    middleware,
    handler: async ({ body, req, res }) => {
      const refusal = checkLimits(body, config.limits);
      if (refusal) {
        return apiError(req, res, refusal.code, {
          message: describeIssues(refusal.issues),
          issues: refusal.issues,
        });
      }
      logContent(req, config.logContent, body.messages);
      const model = body.model ?? config.upstream.defaultModel;
      const result = await runExchange(
        req,
        res,
        { ...body, model },
        deps,
        apiErrorFrame,
        API_SURFACE,
      );
      announceModel(res, result);
      if (result.kind === 'failed') {
        return apiError(req, res, result.code, {
          retryAfter: result.retryAfter,
          final: result.final,
        });
      }
      if (result.kind === 'json') return { status: 200, body: result.body as ChatCompletion };
      return streamed(result.body);
    },
  };
}

export function logContent(req: Request, enabled: boolean, messages: unknown): void {
  if (enabled) req.log.debug({ messages }, 'chat request content');
}
