import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { Chat } from '../chat/types';

interface ChatDb extends DBSchema {
  chats: { key: string; value: Chat; indexes: { updatedAt: number } };
}

export const DB_NAME = 'zai-chat';
const DB_VERSION = 1;

/** Chats live in the browser's IndexedDB; one record per chat, messages inline. */
export class ChatStore {
  private constructor(private readonly db: IDBPDatabase<ChatDb>) {}

  static async open(name = DB_NAME): Promise<ChatStore> {
    const db = await openDB<ChatDb>(name, DB_VERSION, {
      upgrade(database) {
        const chats = database.createObjectStore('chats', { keyPath: 'id' });
        chats.createIndex('updatedAt', 'updatedAt');
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

  close(): void {
    this.db.close();
  }
}
