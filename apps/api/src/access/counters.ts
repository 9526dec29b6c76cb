/**
 * Counters in fixed windows (requests per minute, tokens per day), keyed by identity. The
 * memory flavour serves a single process; a shared flavour (Redis) serves replicas through
 * the same interface.
 */
export interface WindowCount {
  count: number;
  /** When this window ends (ms since epoch). */
  resetAt: number;
}

export interface Counters {
  /** Add `by` to the key's count in the window of `windowMs` that contains now. */
  add(key: string, by: number, windowMs: number): Promise<WindowCount>;
  /** The count so far, without adding. */
  peek(key: string, windowMs: number): Promise<WindowCount>;
}

/** Windows aligned to the epoch (a day window resets at 00:00 UTC), so every replica agrees. */
export function windowOf(now: number, windowMs: number): { start: number; resetAt: number } {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, resetAt: start + windowMs };
}

export class MemoryCounters implements Counters {
  private readonly counts = new Map<string, WindowCount>();
  private sweeps = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const current = this.current(key, windowMs);
    current.count += by;
    // Forget finished windows now and then, so one-off identities do not accumulate.
    if (++this.sweeps % 1000 === 0) this.sweep();
    return { ...current };
  }

  async peek(key: string, windowMs: number): Promise<WindowCount> {
    return { ...this.current(key, windowMs) };
  }

  private current(key: string, windowMs: number): WindowCount {
    const { start, resetAt } = windowOf(this.now(), windowMs);
    const id = `${windowMs}:${start}:${key}`;
    let entry = this.counts.get(id);
    if (!entry) {
      entry = { count: 0, resetAt };
      this.counts.set(id, entry);
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.counts) if (entry.resetAt <= now) this.counts.delete(id);
  }
}
