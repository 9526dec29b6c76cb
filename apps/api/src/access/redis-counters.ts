import type { ChainableCommander } from 'ioredis';
import type { RedisLink } from '../redis/link';
import { type Counters, type WindowCount, windowOf } from './counters';

/** Pending additions go to Redis at most this often (one pipelined script per key). */
export const FLUSH_MS = 1000;
/** A shared total read from Redis is reused this long before it is read again. */
export const FRESH_MS = 1000;

const ADD_AND_EXPIRE = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return count
`;
/** In a pipeline the defined command queues (its count comes back from exec()). */
type PipelineWithBudget = ChainableCommander & {
  zcBudgetAdd(key: string, by: number, expireAt: number): ChainableCommander;
};

/**
 * Budget counters shared through Redis, windows aligned to the epoch like MemoryCounters (a
 * day resets at 00:00 UTC on every replica), at a cost per identity per second rather than per
 * request, so budgets stay within the ≤ 0.1 Redis operations per relayed chunk of § Scaling
 * out: additions are batched and flushed once a second, and a shared total read is reused for
 * a second. A replica may thus overshoot a budget by what it served in that second. While
 * Redis is down, additions wait here (each replica budgets on what it knows) and are flushed
 * once it is back.
 */
export class RedisCounters implements Counters {
  private readonly pending = new Map<string, { by: number; resetAt: number }>();
  private readonly known = new Map<string, { count: number; at: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly link: RedisLink,
    private readonly now: () => number = Date.now,
  ) {
    if (!('zcBudgetAdd' in link.client)) {
      link.client.defineCommand('zcBudgetAdd', { numberOfKeys: 1, lua: ADD_AND_EXPIRE });
    }
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private idOf(key: string, windowMs: number): { id: string; resetAt: number } {
    const { start, resetAt } = windowOf(this.now(), windowMs);
    return { id: this.link.key('budget', String(windowMs), String(start), key), resetAt };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const { id, resetAt } = this.idOf(key, windowMs);
    const waiting = this.pending.get(id);
    if (waiting) waiting.by += by;
    else this.pending.set(id, { by, resetAt });
    // No Redis on this path: the addition waits for the next flush.
    return { count: (this.known.get(id)?.count ?? 0) + (this.pending.get(id)?.by ?? 0), resetAt };
  }

  async peek(key: string, windowMs: number): Promise<WindowCount> {
    const { id, resetAt } = this.idOf(key, windowMs);
    let known = this.known.get(id);
    if (!known || this.now() - known.at > FRESH_MS) {
      try {
        const value = await this.link.run((c) => c.get(id));
        known = { count: Number(value ?? 0), at: this.now() };
        this.known.set(id, known);
      } catch {
        // Redis is down: what this replica knows is what it can go by.
      }
    }
    return { count: (known?.count ?? 0) + (this.pending.get(id)?.by ?? 0), resetAt };
  }

  /** Send every pending addition (one script per key, pipelined); kept for later on failure. */
  async flush(): Promise<void> {
    if (this.pending.size === 0 || !this.link.up) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      const results = await this.link.run((c) => {
        const pipeline = c.pipeline();
        for (const [id, { by, resetAt }] of batch) {
          (pipeline as PipelineWithBudget).zcBudgetAdd(id, by, resetAt);
        }
        return pipeline.exec();
      });
      batch.forEach(([id], i) => {
        const [err, count] = results?.[i] ?? [];
        if (!err) this.known.set(id, { count: Number(count), at: this.now() });
      });
      this.sweep();
    } catch {
      for (const [id, entry] of batch) {
        const waiting = this.pending.get(id);
        if (waiting) waiting.by += entry.by;
        else this.pending.set(id, entry);
      }
    }
  }

  private sweep(): void {
    const stale = this.now() - 60 * FRESH_MS;
    for (const [id, known] of this.known) if (known.at < stale) this.known.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
