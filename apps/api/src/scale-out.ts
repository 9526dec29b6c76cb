import { HEADERS } from '@zai-chat/contract';
import type { Options as RateLimitOptions } from 'express-rate-limit';
import { ResponseCache } from './cache/response-cache';
import type { Config } from './config';
import type { Lifecycle } from './lifecycle';
import { CounterStore } from './limits/rate-limit-store';
import { type SharedCounter, createSharedCounter } from './limits/shared-counter';
import type { Logger } from './logger';
import type { RedisLink } from './redis/link';
import { StreamHub } from './streams/hub';

/**
 * What replicas share through Redis (REDIS_URL), built once per app: the stream hub (ids,
 * resume, stop), the counters behind the rate limit (and any per-identity limit), the
 * response cache. Without Redis each is this process's own, as a single process always was.
 */
export interface ScaleOut {
  streams: StreamHub;
  /** Fixed-window counters: across replicas while Redis is up, in this process otherwise. */
  counter: SharedCounter;
  cache: ResponseCache | undefined;
  /** express-rate-limit options for a limiter counting under `prefix` (none without Redis). */
  rateLimitStore(prefix: string): Partial<Pick<RateLimitOptions, 'store'>>;
  /** Headers browsers may send and read cross-origin (CORS). */
  requestHeaders: string[];
  responseHeaders: string[];
}

export function createScaleOut(
  config: Config,
  deps: { logger: Logger; lifecycle: Lifecycle; redis: RedisLink | undefined },
): ScaleOut {
  const { redis } = deps;
  const streams = new StreamHub({
    link: redis,
    logger: deps.logger,
    keepAliveMs: config.keepAliveMs,
    graceMs: config.streams.resumeGraceMs,
    retentionMs: config.streams.retentionMs,
    maxAnswerMs: config.timeouts.totalMs,
  });
  deps.lifecycle.onDrain(() => streams.drain());
  const counter = createSharedCounter(redis);
  return {
    streams,
    counter,
    cache:
      redis && config.responseCacheTtlS > 0
        ? new ResponseCache(redis, config.responseCacheTtlS)
        : undefined,
    rateLimitStore: (prefix) => (redis ? { store: new CounterStore(counter, prefix) } : {}),
    requestHeaders: [HEADERS.lastEventId, HEADERS.cacheOptIn],
    responseHeaders: [HEADERS.streamId, HEADERS.streamResumable, HEADERS.cache],
  };
}
