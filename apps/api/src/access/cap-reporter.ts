import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export type Cap =
  'connections' | 'slow_requests' | 'streams' | 'identity_streams' | 'rate_limit' | 'budget';

/** A burst ends after this long without a hit; its first hit and its total are logged. */
export const BURST_QUIET_MS = 10_000;

/**
 * Counts every cap hit in /metrics and logs once per burst: the first hit at once, then a
 * summary with the count when the burst has been quiet for BURST_QUIET_MS. A flood of refused
 * requests must not become a flood of log lines.
 */
export class CapReporter {
  private readonly bursts = new Map<Cap, { hits: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  hit(cap: Cap): void {
    this.metrics.capHits.inc({ cap });
    const burst = this.bursts.get(cap);
    if (burst) {
      burst.hits++;
      burst.timer.refresh();
      return;
    }
    this.logger.warn({ cap }, 'cap reached');
    const timer = setTimeout(() => this.endBurst(cap), BURST_QUIET_MS);
    timer.unref();
    this.bursts.set(cap, { hits: 1, timer });
  }

  private endBurst(cap: Cap): void {
    const burst = this.bursts.get(cap);
    this.bursts.delete(cap);
    if (burst) this.logger.warn({ cap, hits: burst.hits }, 'cap burst ended');
  }

  close(): void {
    for (const { timer } of this.bursts.values()) clearTimeout(timer);
    this.bursts.clear();
  }
}
