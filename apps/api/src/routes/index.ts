import { type RequestValidationError, createExpressEndpoints, initServer } from '@ts-rest/express';
import { contract } from '@zai-chat/contract';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import type { Access } from '../access';
import type { ChatDeps } from '../chat/exchange';
import { sendError } from '../http/errors';
import { describeIssues, schemaIssues } from '../http/validation';
import { describeDeployment } from './config';
import { chatRoute } from './chat';
import { type HealthDeps, healthRoute } from './health';
import { chatCompletionsRoute, modelList } from './openai';
import type { StreamHub } from '../streams/hub';
import { resumeRoute, stopRoute } from './streams';

export interface RouteDeps extends ChatDeps {
  health: HealthDeps;
  access: Access;
  /** Run before a chat request's body is read: draining, rate limit, content type, JSON body. */
  chatMiddleware: RequestHandler[];
  /** Stream ids, resume and stop. */
  streams: StreamHub;
  /** Run before resume and stop (their own rate limit; access checks belong here too). */
  streamMiddleware: RequestHandler[];
}

/**
 * Every route of the contract, served through ts-rest's Express adapter: the router object
 * must implement each route (a missing one fails to compile), and each handler may only
 * return a status its route lists (strictStatusCodes).
 */
export function mountContract(app: Express, deps: RouteDeps): void {
  const description = describeDeployment(deps.config, deps.upstream.kind);
  const models = modelList(deps.config, Math.floor(deps.health.startedAt / 1000));
  const router = initServer().router(contract, {
    chat: chatRoute(deps, deps.chatMiddleware),
    resumeChat: resumeRoute(deps, deps.streamMiddleware),
    stopChat: stopRoute(deps, deps.streamMiddleware),
    config: async () => ({ status: 200, body: description }),
    health: healthRoute(deps.health),
    openAi: {
      chatCompletions: chatCompletionsRoute(deps, deps.chatMiddleware),
      models: {
        middleware: [deps.access.identify],
        handler: async () => ({ status: 200, body: models }),
      },
    },
  });
  createExpressEndpoints(contract, router, app, {
    logInitialization: false,
    // The JSON routes' answers are built from typed values; the chat routes relay Z.AI's
    // own JSON as it came (validating would reshape what is relayed).
    responseValidation: false,
    requestValidationErrorHandler: schemaErrorHandler,
  });
}

/** A body that does not match the contract: our typed 400, in the route's surface's shape. */
const schemaErrorHandler = ((err: RequestValidationError, req, res) => {
  const zodIssues = [
    ...(err.body?.issues ?? []),
    ...(err.query?.issues ?? []),
    ...(err.pathParams?.issues ?? []),
    ...(err.headers?.issues ?? []),
  ];
  const issues = schemaIssues(zodIssues);
  sendError(req, res, 'bad_request', { message: describeIssues(issues), issues });
}) as ErrorRequestHandler;
