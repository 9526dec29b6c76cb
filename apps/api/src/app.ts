import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import pkg from '../package.json' with { type: 'json' };
import type { Config } from './config';
import { errorHandler, notFound, sendError } from './http/errors';
import { serverTiming } from './http/request-context';
import { type Access, createAccess } from './access';
import { Lifecycle } from './lifecycle';
import { type Logger, createLogger } from './logger';
import { type Metrics, createMetrics } from './metrics';
import { jsonBody } from './http/json-body';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { mountContract } from './routes';
import { mountOpenApi } from './routes/openapi';
import { countRequests } from './routes/metrics';
import type { UpstreamClient } from './upstream/client';
import { type ScaleOut, createScaleOut } from './scale-out';
import type { RedisLink } from './redis/link';

export interface AppDeps {
  upstream: UpstreamClient;
  logger?: Logger;
  metrics?: Metrics;
  lifecycle?: Lifecycle;
  startedAt?: number;
  /** Identity, budgets, rate limits and stream caps; built from the config when absent. */
  access?: Access;
  /** The Redis link when REDIS_URL is set (server.ts starts and closes it). */
  redis?: RedisLink;
  /** Receives the shared pieces built here (stream hub, counter), e.g. for shutdown. */
  onScaleOut?: (scale: ScaleOut) => void;
}

/** `application/json`, with or without parameters: what express.json() reads. */
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * CORS only matters to requests that carry an Origin (browsers on another origin); the cors
 * middleware's work is skipped for the rest (same-origin browsers, SDKs, curl), which still
 * get `Vary: Origin` so a shared cache never serves one origin's answer to another.
 */
function onlyWithOrigin(corsMiddleware: RequestHandler): RequestHandler {
  return function corsWhenCrossOrigin(req, res, next) {
    if (req.headers.origin !== undefined) return corsMiddleware(req, res, next);
    res.setHeader('Vary', 'Origin');
    next();
  };
}

/** The Express app for a Config and its dependencies; `server.ts` listens, tests use supertest. */
export function createApp(config: Config, deps: AppDeps): Express {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = deps.metrics ?? createMetrics();
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  // Shared state (Redis) or this process's own: stream hub, counters, response cache.
  const scale = createScaleOut(config, { logger, lifecycle, redis: deps.redis });
  deps.onScaleOut?.(scale);
  const access = deps.access ?? createAccess(config, { logger, metrics, redis: deps.redis });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  app.use(requestLog(logger));
  app.use(serverTiming);
  app.use(securityHeaders());
  app.use(
    onlyWithOrigin(
      cors({
        origin: config.corsOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: [
          'Content-Type',
          'Accept',
          'Authorization',
          'X-Request-Id',
          ...scale.requestHeaders,
        ],
        exposedHeaders: [
          'X-Request-Id',
          'X-Instance-Id',
          'Server-Timing',
          'Retry-After',
          ...scale.responseHeaders,
        ],
        maxAge: 600,
      }),
    ),
  );
  if (config.metricsEnabled) app.use(countRequests(metrics));

  // Which replica answered: lets a client (or the staging test) see the spread behind nginx.
  app.use((_req, res, next) => {
    res.setHeader('X-Instance-Id', config.instanceId);
    next();
  });
  mountOpenApi(app, pkg.version);

  const refuseWhileDraining: RequestHandler = (req, res, next) =>
    lifecycle.draining ? sendError(req, res, 'shutting_down', { retryAfter: 1 }) : next();
  const requireJson: RequestHandler = (req, res, next) =>
    JSON_TYPE.test(req.headers['content-type'] ?? '')
      ? next()
      : sendError(req, res, 'unsupported_media_type');

  mountContract(app, {
    config,
    upstream: deps.upstream,
    metrics,
    lifecycle,
    streams: scale.streams,
    cache: scale.cache,
    access,
    streamMiddleware: access.streamGate,
    health: {
      version: pkg.version,
      upstream: deps.upstream.kind,
      instance: config.instanceId,
      lifecycle,
      startedAt: deps.startedAt ?? Date.now(),
      redis: deps.redis,
    },
    chatMiddleware: [refuseWhileDraining, ...access.gate, requireJson, jsonBody(config.limits)],
  });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
