/**
 * What graceful shutdown needs to know: whether we are draining, and the streams in flight
 * so they can be ended cleanly once the drain deadline passes.
 */
export interface ActiveStream {
  /** End the stream now with an error event (drain deadline passed). */
  terminate(): void;
  /** Resolves when the stream has ended, however it ended. */
  readonly finished: Promise<void>;
}

export class Lifecycle {
  draining = false;
  readonly streams = new Set<ActiveStream>();
  /** Run when the drain starts (the stream hub asks its readers to reconnect elsewhere). */
  private readonly drainHooks: (() => void)[] = [];

  onDrain(hook: () => void): void {
    this.drainHooks.push(hook);
  }

  track(stream: ActiveStream): void {
    this.streams.add(stream);
    void stream.finished.then(() => this.streams.delete(stream));
  }

  /** Stop taking new chats, wait for those in flight up to `deadlineMs`, then end the rest. */
  async drain(deadlineMs: number): Promise<{ finished: number; terminated: number }> {
    this.draining = true;
    for (const hook of this.drainHooks) hook();
    const inFlight = [...this.streams];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const outcome = await Promise.race([
      Promise.all(inFlight.map((s) => s.finished)).then(() => 'done' as const),
      deadline,
    ]);
    clearTimeout(timer);
    const left = [...this.streams];
    if (outcome === 'deadline') for (const s of left) s.terminate();
    await Promise.all(left.map((s) => s.finished));
    return { finished: inFlight.length - left.length, terminated: left.length };
  }
}
