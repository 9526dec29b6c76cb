import type { Redis } from 'ioredis';
import type { RedisLink } from '../redis/link';

/**
 * Fixed-window hit counters, counted once across replicas when Redis is up and in this process
 * otherwise. The rate limit uses one; per-identity budgets and quotas can use the same (with
 * their own key prefix and window), so every limit shares the same connection and the same
 * fallback behaviour. `incr` never rejects: a limit must not turn a Redis outage into a 5xx.
 */
export interface CounterResult {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

export interface SharedCounter {
  /** Count one hit for `key`; a window of `windowMs` starts at the key's first hit. */
  incr(key: string, windowMs: number): Promise<CounterResult>;
  /** Take one hit back (e.g. a request that should not count after all). */
  decr(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** In-process counters; expired windows are swept so idle clients cost nothing. */
export class MemoryCounter implements SharedCounter {
  private readonly windows = new Map<string, CounterResult>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepEveryMs);
    this.sweeper.unref();
  }

  incr(key: string, windowMs: number): Promise<CounterResult> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve({ count: window.count, resetAt: window.resetAt });
  }

  decr(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

/**
 * INCR, and start the window's expiry on its first hit, atomically: one round trip and one
 * command (EVALSHA) per hit. Returns the count and the milliseconds left in the window.
 */
const INCR_WINDOW = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type WithCounter = Redis & {
  zcIncrWindow(key: string, windowMs: number): Promise<[number, number]>;
};

/** Counters in Redis (through the link: fails fast while Redis is down). */
export class RedisCounter implements SharedCounter {
  constructor(private readonly link: RedisLink) {
    if (!('zcIncrWindow' in link.client)) {
      link.client.defineCommand('zcIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });
    }
  }

  async incr(key: string, windowMs: number): Promise<CounterResult> {
    const [count, ttl] = await this.link.run((c) =>
      (c as WithCounter).zcIncrWindow(this.link.key('count', key), windowMs),
    );
    return { count, resetAt: Date.now() + ttl };
  }

  async decr(key: string): Promise<void> {
    await this.link.run((c) => c.decr(this.link.key('count', key)));
  }

  async reset(key: string): Promise<void> {
    await this.link.run((c) => c.del(this.link.key('count', key)));
  }
}

/**
 * Redis while it is up, this process's memory while it is not. Counts taken locally during an
 * outage stay local (each replica then limits on its own, as without Redis); when Redis
 * returns, counting is shared again without a restart.
 */
export class FallbackCounter implements SharedCounter {
  constructor(
    private readonly link: RedisLink,
    private readonly shared: SharedCounter,
    private readonly local: SharedCounter,
  ) {}

  incr(key: string, windowMs: number): Promise<CounterResult> {
    if (!this.link.up) return this.local.incr(key, windowMs);
    return this.shared.incr(key, windowMs).catch(() => this.local.incr(key, windowMs));
  }

  decr(key: string): Promise<void> {
    if (!this.link.up) return this.local.decr(key);
    return this.shared.decr(key).catch(() => this.local.decr(key));
  }

  reset(key: string): Promise<void> {
    return Promise.all([
      this.local.reset(key),
      this.link.up ? this.shared.reset(key).catch(() => undefined) : undefined,
    ]).then(() => undefined);
  }
}

/** The counter for this process: shared through `link` when there is one, local otherwise. */
export function createSharedCounter(link: RedisLink | undefined): SharedCounter {
  const local = new MemoryCounter();
  return link ? new FallbackCounter(link, new RedisCounter(link), local) : local;
}
