import type { Chat } from '../chat/types';
import type { ChatStore } from './db';

/**
 * Attached images by id: a memory cache in front of IndexedDB. A new image is usable at once
 * (the request and the thumbnail read the cache) and written in the background; old ones are
 * read on demand, for the open chat only. Views subscribe to hear when a read completes.
 */
export class ImageStore {
  private readonly cache = new Map<string, string>();
  private readonly reads = new Map<string, Promise<string | undefined>>();
  private readonly listeners = new Set<() => void>();
  private store: ChatStore | undefined;

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Attach the database once it is open (until then, and without one, images live in memory). */
  attach(store: ChatStore | undefined): void {
    this.store = store;
    if (!store) return;
    // Images added before the database opened are written now.
    for (const [id, url] of this.cache) store.putImage(id, url).catch(this.onError);
  }

  put = (id: string, dataUrl: string): void => {
    this.cache.set(id, dataUrl);
    this.emit();
    this.store?.putImage(id, dataUrl).catch(this.onError);
  };

  get = (id: string): string | undefined => this.cache.get(id);

  load = (id: string): Promise<string | undefined> => {
    const cached = this.cache.get(id);
    if (cached !== undefined) return Promise.resolve(cached);
    const store = this.store;
    if (!store) return Promise.resolve(undefined);
    let read = this.reads.get(id);
    if (!read) {
      read = store
        .getImage(id)
        .catch(() => undefined)
        .then((url) => {
          this.reads.delete(id);
          if (url !== undefined) {
            this.cache.set(id, url);
            this.emit();
          }
          return url;
        });
      this.reads.set(id, read);
    }
    return read;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Delete stored images no chat refers to (chats deleted past their undo, or a crash between
   * writing an image and its message). Run once at start, when nothing is pending.
   */
  async prune(chats: Chat[]): Promise<number> {
    const store = this.store;
    if (!store) return 0;
    const used = new Set(referencedImageIds(chats));
    const orphans = (await store.imageIds()).filter((id) => !used.has(id) && !this.cache.has(id));
    if (orphans.length) await store.deleteImages(orphans);
    return orphans.length;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export function referencedImageIds(chats: Chat[]): string[] {
  return chats.flatMap((c) =>
    c.messages.flatMap((m) => (m.role === 'user' ? (m.attachments ?? []).map((a) => a.id) : [])),
  );
}
