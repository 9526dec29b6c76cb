const STORAGE_KEY = 'zai-chat:access-key';

/**
 * The access key for an API in `ACCESS_MODE=keys`, kept in this browser's localStorage (the
 * user typed it; it is theirs, and it is sent only as `Authorization: Bearer …` to the API).
 */
export class AccessKeyStore {
  private readonly listeners = new Set<() => void>();
  /** Where the key lives when storage refuses it (private windows, full quota): this tab only. */
  private memory: string | undefined;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {}

  get(): string | undefined {
    try {
      return this.storage.getItem(STORAGE_KEY) || this.memory;
    } catch {
      return this.memory;
    }
  }

  /** Store a key as typed or pasted (whitespace and a `Bearer ` prefix removed); false if empty. */
  set(raw: string): boolean {
    const key = normalizeKey(raw);
    if (!key) return false;
    try {
      this.storage.setItem(STORAGE_KEY, key);
      this.memory = undefined;
    } catch {
      this.memory = key;
    }
    this.emit();
    return true;
  }

  forget(): void {
    this.memory = undefined;
    try {
      this.storage.removeItem(STORAGE_KEY);
    } catch {
      // Nothing was stored there.
    }
    this.emit();
  }

  /** Whether a key is stored (for useSyncExternalStore). */
  has = (): boolean => this.get() !== undefined;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export function normalizeKey(raw: string): string {
  return raw
    .trim()
    .replace(/^bearer\s+/i, '')
    .replace(/\s+/g, '');
}

export const authHeaders = (key: string | undefined): Record<string, string> =>
  key ? { Authorization: `Bearer ${key}` } : {};

/** Why the key dialog opened: none is stored, or the stored one was just refused. */
export type KeyRequestReason = 'required' | 'rejected';

/**
 * One question to the user at a time: "enter your access key". Callers `ask` and get the key,
 * or undefined when the user closed the dialog (or their signal aborted); the dialog reads
 * `pending` and calls `answer`. Asks made while one is open share it.
 */
export class KeyPrompt {
  private open: { reason: KeyRequestReason; promise: Promise<string | undefined> } | undefined;
  private resolve: ((key: string | undefined) => void) | undefined;
  private readonly listeners = new Set<() => void>();

  pending = (): KeyRequestReason | undefined => this.open?.reason;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  ask(reason: KeyRequestReason, signal?: AbortSignal): Promise<string | undefined> {
    if (!this.open) {
      const promise = new Promise<string | undefined>((resolve) => (this.resolve = resolve));
      this.open = { reason, promise };
      this.emit();
    } else if (reason === 'rejected' && this.open.reason !== 'rejected') {
      this.open = { ...this.open, reason };
      this.emit();
    }
    const { promise } = this.open;
    if (!signal) return promise;
    return new Promise((resolve) => {
      const onAbort = () => resolve(undefined);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then((key) => {
        signal.removeEventListener('abort', onAbort);
        resolve(key);
      });
    });
  }

  /** The dialog's answer: the key entered, or undefined if it was dismissed. */
  answer(key: string | undefined): void {
    const resolve = this.resolve;
    this.open = undefined;
    this.resolve = undefined;
    this.emit();
    resolve?.(key);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
