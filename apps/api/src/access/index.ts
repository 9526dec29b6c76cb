import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { sendError } from '../http/errors';
import { deferredRateLimit } from '../limits/deferred-rate-limit';
import { CounterStore } from '../limits/rate-limit-store';
import { MemoryCounter, createSharedCounter } from '../limits/shared-counter';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { RedisLink } from '../redis/link';
import { TokenBudgets } from './budgets';
import { CapReporter } from './cap-reporter';
import { type Counters, MemoryCounters } from './counters';
import { FileKeyStore } from './file-key-store';
import { identify, identityOf } from './identify';
import type { KeyStore } from './keys';
import { limitRequests } from './rate-limit';
import { RedisCounters } from './redis-counters';
import { RedisKeyStore } from './redis-key-store';
import { StreamSlots } from './stream-slots';

export interface Access {
  /** Identity → budget → rate limit, in that order, before a chat request's body is read. */
  gate: RequestHandler[];
  /** Identity alone (e.g. /v1/models). */
  identify: RequestHandler;
  /** Resume and stop: identity, then a wider rate limit of their own. */
  streamGate: RequestHandler[];
  budgets: TokenBudgets;
  slots: StreamSlots;
  reporter: CapReporter;
  close(): void;
}

export interface AccessDeps {
  logger: Logger;
  metrics: Metrics;
  /** Tests and Redis pass their own; the file named by ACCESS_KEYS_FILE otherwise. */
  keyStore?: KeyStore;
  counters?: Counters;
  /** With REDIS_URL: keys, budgets and rate limits are shared by every replica. */
  redis?: RedisLink;
}

/** Who may spend the key, and how much: decided before anything costs money (design.md). */
export function createAccess(config: Config, deps: AccessDeps): Access {
  const { redis } = deps;
  const reporter = new CapReporter(deps.metrics, deps.logger);
  const onKeyError = (message: string) => deps.logger.error(message);
  const keyStore =
    config.access.mode === 'keys'
      ? (deps.keyStore ??
        (redis
          ? new RedisKeyStore(redis, onKeyError)
          : new FileKeyStore(config.access.keysFile!, onKeyError)))
      : undefined;
  const redisCounters = !deps.counters && redis ? new RedisCounters(redis) : undefined;
  const counters = deps.counters ?? redisCounters ?? new MemoryCounters();
  const budgets = new TokenBudgets(counters, config.access.tokensPerDay);
  const identifyRequest = identify({
    mode: config.access.mode,
    keys: keyStore,
    proxyHeader: config.access.proxyHeader,
  });
  const checkBudget = budgets.check(() => reporter.hit('budget'));
  const identityKey = identityKeyOf;
  const perIdentity = (max: number) => (_req: unknown, res: Parameters<typeof identityOf>[0]) =>
    identityOf(res)?.limits?.rateLimit ?? max;
  // Counted when the request arrives and decided just before the upstream call (see
  // limits/deferred-rate-limit.ts): across replicas with Redis, in this process without.
  const shared = redis ? createSharedCounter(redis) : undefined;
  const limitChats = deferredRateLimit({
    counter: shared ?? new MemoryCounter(),
    windowMs: config.limits.rateLimitWindowMs,
    limit: perIdentity(config.limits.rateLimitMax),
    key: identityKey,
    prefix: 'rl:',
    refuse: (req, res, retryAfter) => {
      reporter.hit('rate_limit');
      sendError(req, res, 'rate_limited', { retryAfter });
    },
  });
  // Resume and stop have their own, wider budget: a reload or a deploy's reconnects must not
  // eat the chat limit, and stream ids are unguessable, so this only bounds load.
  const limitStreams = limitRequests({
    windowMs: config.limits.rateLimitWindowMs,
    max: config.limits.rateLimitMax * 5,
    reporter,
    ...(shared ? { store: new CounterStore(shared, 'rls:') } : {}),
  });
  return {
    gate: [identifyRequest, checkBudget, limitChats],
    identify: identifyRequest,
    streamGate: [identifyRequest, limitStreams],
    budgets,
    slots: new StreamSlots(config.caps.maxStreams, config.caps.maxStreamsPerIdentity),
    reporter,
    close: () => {
      keyStore?.close();
      reporter.close();
      redisCounters?.close();
    },
  };
}

/** The key limits count under: the identity `identify` set, else the client address. */
function identityKeyOf(req: { ip?: string }, res: Parameters<typeof identityOf>[0]): string {
  return identityOf(res)?.id ?? `ip:${req.ip ?? 'unknown'}`;
}
