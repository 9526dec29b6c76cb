import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';
import { FACTORY_SETTINGS } from '../chat/settings';
import type { Chat } from '../chat/types';
import { ChatStore } from './db';
import { SaveQueue } from './saveQueue';

const chat = (id: string, content: string): Chat => ({
  id,
  title: id,
  titleLocked: false,
  createdAt: 1,
  updatedAt: 1,
  settings: FACTORY_SETTINGS,
  messages: [{ id: 'm', role: 'user', content, createdAt: 1 }],
});

test('streaming saves wait for the interval (latest state wins); urgent and flush save at once', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const store = await ChatStore.open(`queue-${Math.random()}`);
  const queue = new SaveQueue(store, (err) => {
    throw err;
  });
  queue.save(chat('a', 'one'), false);
  queue.save(chat('a', 'two'), false);
  await vi.advanceTimersByTimeAsync(10);
  expect(await store.get('a')).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1000);
  await vi.waitFor(async () => expect((await store.get('a'))?.messages[0]?.content).toBe('two'));

  queue.save(chat('b', 'now'), true);
  await vi.waitFor(async () => expect(await store.get('b')).toBeDefined());
  queue.save(chat('c', 'hidden'), false);
  queue.flush();
  await vi.waitFor(async () => expect(await store.get('c')).toBeDefined());
  queue.remove('b');
  await vi.waitFor(async () => expect(await store.get('b')).toBeUndefined());
  vi.useRealTimers();
  store.close();
});
