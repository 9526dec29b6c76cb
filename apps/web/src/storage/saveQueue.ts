import type { Chat } from '../chat/types';
import type { ChatStore } from './db';

/**
 * Pending chat writes for one store: urgent ones go out at once, the rest (answers still
 * streaming) at most every `intervalMs`; `flush` sends whatever waits (page hide, unmount).
 */
export class SaveQueue {
  private readonly pending = new Map<string, Chat>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: ChatStore,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 1000,
  ) {}

  save(chat: Chat, urgent: boolean): void {
    this.pending.set(chat.id, chat);
    if (urgent) this.flush();
    else this.timer ??= setTimeout(this.flush, this.intervalMs);
  }

  remove(id: string): void {
    this.pending.delete(id);
    this.store.delete(id).catch(this.onError);
  }

  flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length) this.store.putMany(batch).catch(this.onError);
  };
}
