import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { TokenBudgets } from './budgets';
import { CapReporter } from './cap-reporter';
import { type Counters, MemoryCounters } from './counters';
import { FileKeyStore } from './file-key-store';
import { identify } from './identify';
import type { KeyStore } from './keys';
import { limitRequests } from './rate-limit';
import { StreamSlots } from './stream-slots';

export interface Access {
  /** Identity → budget → rate limit, in that order, before a chat request's body is read. */
  gate: RequestHandler[];
  /** Identity alone (e.g. /v1/models). */
  identify: RequestHandler;
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
}

/** Who may spend the key, and how much: decided before anything costs money (design.md). */
export function createAccess(config: Config, deps: AccessDeps): Access {
  const reporter = new CapReporter(deps.metrics, deps.logger);
  const keyStore =
    config.access.mode === 'keys'
      ? (deps.keyStore ??
        new FileKeyStore(config.access.keysFile!, (message) => deps.logger.error(message)))
      : undefined;
  const budgets = new TokenBudgets(
    deps.counters ?? new MemoryCounters(),
    config.access.tokensPerDay,
  );
  const identifyRequest = identify({
    mode: config.access.mode,
    keys: keyStore,
    proxyHeader: config.access.proxyHeader,
  });
  const checkBudget = budgets.check(() => reporter.hit('budget'));
  const limitRate = limitRequests({
    windowMs: config.limits.rateLimitWindowMs,
    max: config.limits.rateLimitMax,
    reporter,
  });
  return {
    gate: [identifyRequest, checkBudget, limitRate],
    identify: identifyRequest,
    budgets,
    slots: new StreamSlots(config.caps.maxStreams, config.caps.maxStreamsPerIdentity),
    reporter,
    close: () => {
      keyStore?.close();
      reporter.close();
    },
  };
}
