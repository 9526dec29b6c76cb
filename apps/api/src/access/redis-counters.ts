import type { RedisLink } from '../redis/link';
import { type Counters, MemoryCounters, type WindowCount, windowOf } from './counters';

/**
 * Budget counters in Redis, windows aligned to the epoch like MemoryCounters (a day resets at
 * 00:00 UTC on every replica): one INCRBY plus its expiry in one round trip per exchange, one
 * GET per check. While Redis is down, counts are kept in this process (each replica then
 * budgets on its own, as without Redis), and shared again once it is back.
 */
export class RedisCounters implements Counters {
  private readonly local: MemoryCounters;

  constructor(
    private readonly link: RedisLink,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new MemoryCounters(now);
  }

  private keyOf(key: string, windowMs: number): { id: string; resetAt: number } {
    const { start, resetAt } = windowOf(this.now(), windowMs);
    return { id: this.link.key('budget', String(windowMs), String(start), key), resetAt };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const { id, resetAt } = this.keyOf(key, windowMs);
    try {
      const results = await this.link.run((c) =>
        c.multi().incrby(id, by).pexpireat(id, resetAt).exec(),
      );
      const count = Number(results?.[0]?.[1] ?? 0);
      return { count, resetAt };
    } catch {
      return this.local.add(key, by, windowMs);
    }
  }

  async peek(key: string, windowMs: number): Promise<WindowCount> {
    const { id, resetAt } = this.keyOf(key, windowMs);
    try {
      const value = await this.link.run((c) => c.get(id));
      const shared = Number(value ?? 0);
      // Whatever was counted here during an outage still counts.
      const local = await this.local.peek(key, windowMs);
      return { count: shared + local.count, resetAt };
    } catch {
      return this.local.peek(key, windowMs);
    }
  }
}
