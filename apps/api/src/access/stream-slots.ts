export type SlotRefusal = 'global' | 'identity';

/**
 * Answers in flight, in this process: at most `max` overall and `perIdentity` for one
 * identity. Each holds a client connection and an upstream one, so this is also what keeps
 * a burst within the file descriptors the process has.
 */
export class StreamSlots {
  private total = 0;
  private readonly byIdentity = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly perIdentity: number,
  ) {}

  /** A release function, or which cap refused. */
  acquire(identity: string): (() => void) | SlotRefusal {
    if (this.total >= this.max) return 'global';
    const mine = this.byIdentity.get(identity) ?? 0;
    if (mine >= this.perIdentity) return 'identity';
    this.total++;
    this.byIdentity.set(identity, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byIdentity.get(identity) ?? 1) - 1;
      if (left > 0) this.byIdentity.set(identity, left);
      else this.byIdentity.delete(identity);
    };
  }

  get inFlight(): number {
    return this.total;
  }
}
