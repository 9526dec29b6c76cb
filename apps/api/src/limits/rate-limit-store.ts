import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { SharedCounter } from './shared-counter';

/**
 * express-rate-limit's store on a SharedCounter: one count per client across replicas while
 * Redis is up, this process's own count while it is not.
 *
 * Not `rate-limit-redis`: it loads its Lua script once in `init()` and keeps the promise, so
 * a Redis that is down when the API starts leaves it failing every increment until a restart,
 * and it has no fallback (a store that throws makes express-rate-limit answer 500). The
 * counter it would need is six lines of Lua, shared with the per-identity limits.
 */
export class CounterStore implements Store {
  /** Keys count across processes: the double-count check must not assume otherwise. */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counter: SharedCounter,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { count, resetAt } = await this.counter.incr(this.prefix + key, this.windowMs);
    return { totalHits: count, resetTime: new Date(resetAt) };
  }

  decrement(key: string): Promise<void> {
    return this.counter.decr(this.prefix + key);
  }

  resetKey(key: string): Promise<void> {
    return this.counter.reset(this.prefix + key);
  }
}
