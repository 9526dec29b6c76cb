import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { Chat } from '../chat/types';

interface ChatDb extends DBSchema {
  chats: { key: string; value: Chat; indexes: { updatedAt: number } };
  /** Attached images' pixels as data URLs, by attachment id; written once, never rewritten. */
  images: { key: string; value: { id: string; dataUrl: string } };
}

export const DB_NAME = 'zai-chat';
const DB_VERSION = 2;

/**
 * Chats live in the browser's IndexedDB; one record per chat, messages inline. Images are kept
 * apart: a chat record is rewritten every second while an answer streams, and must not carry
 * megabytes of pixels each time.
 */
export class ChatStore {
  private constructor(private readonly db: IDBPDatabase<ChatDb>) {}

  static async open(name = DB_NAME): Promise<ChatStore> {
    const db = await openDB<ChatDb>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          const chats = database.createObjectStore('chats', { keyPath: 'id' });
          chats.createIndex('updatedAt', 'updatedAt');
        }
        if (oldVersion < 2) database.createObjectStore('images', { keyPath: 'id' });
      },
    });
    return new ChatStore(db);
  }

  async all(): Promise<Chat[]> {
    const chats = await this.db.getAllFromIndex('chats', 'updatedAt');
    return chats.reverse();
  }

  async get(id: string): Promise<Chat | undefined> {
    return this.db.get('chats', id);
  }

  async put(chat: Chat): Promise<void> {
    await this.db.put('chats', chat);
  }

  async putMany(chats: Chat[]): Promise<void> {
    const tx = this.db.transaction('chats', 'readwrite');
    await Promise.all([...chats.map((c) => tx.store.put(c)), tx.done]);
  }

  async delete(id: string): Promise<void> {
    await this.db.delete('chats', id);
  }

  async putImage(id: string, dataUrl: string): Promise<void> {
    await this.db.put('images', { id, dataUrl });
  }

  async getImage(id: string): Promise<string | undefined> {
    return (await this.db.get('images', id))?.dataUrl;
  }

  async imageIds(): Promise<string[]> {
    return this.db.getAllKeys('images');
  }

  async deleteImages(ids: string[]): Promise<void> {
    const tx = this.db.transaction('images', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
  }

  close(): void {
    this.db.close();
  }
}
