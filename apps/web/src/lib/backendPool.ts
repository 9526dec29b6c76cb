import type { Health } from '@zai-chat/contract';

export type BackendStatus = 'unknown' | 'up' | 'down';

export interface BackendState {
  base: string;
  status: BackendStatus;
  /** The last /health body a check read from it. */
  health?: Health;
}

export interface BackendPoolOptions {
  /** One health check: the body when the base is serving (2xx, not draining), else undefined. */
  check(base: string, signal: AbortSignal): Promise<Health | undefined>;
  /** Re-check a healthy base this often (ms). */
  upIntervalMs?: number;
  /** Re-check a base that is down (or not yet known) this often, to notice its recovery. */
  downIntervalMs?: number;
  timeoutMs?: number;
}

/**
 * The API bases and what is known of their health. Every base is checked on its own timer
 * (often while it is down, so a recovery is seen within seconds); `order()` is the order to try
 * them in: healthy ones first in configured order, then unknown, then those down. So requests
 * go to the first healthy base and return to an earlier one as soon as it recovers. A failed
 * request marks its base down at once, without waiting for the next check.
 */
export class BackendPool {
  private states: BackendState[];
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Map<string, AbortController>();
  private running = false;
  private readonly upMs: number;
  private readonly downMs: number;
  private readonly timeoutMs: number;

  constructor(
    readonly bases: readonly string[],
    private readonly options: BackendPoolOptions,
  ) {
    if (bases.length === 0) throw new Error('BackendPool needs at least one base');
    this.states = bases.map((base) => ({ base, status: 'unknown' }));
    this.upMs = options.upIntervalMs ?? 15_000;
    this.downMs = options.downIntervalMs ?? 3_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** For useSyncExternalStore: a new array whenever anything changed. */
  getSnapshot = (): readonly BackendState[] => this.states;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Start checking every base now and then on its timer; returns `stop`. */
  start(): () => void {
    if (!this.running) {
      this.running = true;
      for (const { base } of this.states) void this.checkNow(base);
    }
    return () => this.stop();
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const c of this.inFlight.values()) c.abort();
    this.inFlight.clear();
  }

  /** Check every base at once (the browser came back online). */
  checkAll(): Promise<void> {
    return Promise.all(this.states.map((s) => this.checkNow(s.base))).then(() => {});
  }

  /** Bases in the order a request should try them. */
  order(): string[] {
    const rank: Record<BackendStatus, number> = { up: 0, unknown: 1, down: 2 };
    return this.states
      .map((s, i) => ({ s, i }))
      .sort((a, b) => rank[a.s.status] - rank[b.s.status] || a.i - b.i)
      .map(({ s }) => s.base);
  }

  /** The base requests go to now: the first healthy one. */
  current(): BackendState | undefined {
    return this.states.find((s) => s.status === 'up');
  }

  /** A request to `base` failed at the connection: treat it as down until a check says not. */
  markDown(base: string): void {
    this.set(base, { status: 'down' });
    this.reschedule(base);
  }

  /** A request to `base` was answered: it is up (its health body is kept from the last check). */
  markUp(base: string): void {
    if (this.states.find((s) => s.base === base)?.status === 'up') return;
    this.set(base, { status: 'up' });
    this.reschedule(base);
  }

  private async checkNow(base: string): Promise<void> {
    clearTimeout(this.timers.get(base));
    this.timers.delete(base);
    this.inFlight.get(base)?.abort();
    const controller = new AbortController();
    this.inFlight.set(base, controller);
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    let health: Health | undefined;
    try {
      health = await this.options.check(base, controller.signal);
    } catch {
      health = undefined;
    } finally {
      clearTimeout(timeout);
    }
    if (this.inFlight.get(base) !== controller) return; // superseded by a newer check
    this.inFlight.delete(base);
    if (!this.running) return;
    this.set(base, health ? { status: 'up', health } : { status: 'down' });
    this.reschedule(base);
  }

  private reschedule(base: string): void {
    if (!this.running || this.inFlight.has(base)) return;
    clearTimeout(this.timers.get(base));
    const up = this.states.find((s) => s.base === base)?.status === 'up';
    this.timers.set(
      base,
      setTimeout(() => void this.checkNow(base), up ? this.upMs : this.downMs),
    );
  }

  private set(base: string, patch: Partial<BackendState>): void {
    let changed = false;
    const next = this.states.map((s) => {
      if (s.base !== base) return s;
      const merged = { ...s, ...patch };
      if (merged.status === s.status && merged.health === s.health) return s;
      changed = true;
      return merged;
    });
    if (!changed) return;
    this.states = next;
    for (const listener of this.listeners) listener();
  }
}
