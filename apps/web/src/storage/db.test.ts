import 'fake-indexeddb/auto';
import { expect, test } from 'vitest';
import { FACTORY_SETTINGS } from '../chat/settings';
import type { Chat } from '../chat/types';
import { ChatStore } from './db';
import { ImportError, exportChats, parseChatExport } from './export';

const chat = (id: string, updatedAt: number): Chat => ({
  id,
  title: `Chat ${id}`,
  titleLocked: false,
  createdAt: updatedAt,
  updatedAt,
  settings: FACTORY_SETTINGS,
  messages: [
    { id: `${id}-u`, role: 'user', content: 'hello', createdAt: updatedAt },
    {
      id: `${id}-a`,
      role: 'assistant',
      content: 'partial',
      reasoning: '',
      status: 'streaming',
      createdAt: updatedAt,
    },
  ],
});

test('chats round-trip through IndexedDB, newest first; delete removes one', async () => {
  const store = await ChatStore.open(`test-${Math.random()}`);
  await store.putMany([chat('a', 1), chat('b', 3)]);
  await store.put(chat('c', 2));
  expect((await store.all()).map((c) => c.id)).toEqual(['b', 'c', 'a']);
  await store.put({ ...chat('a', 10), title: 'updated' });
  expect((await store.all())[0]).toMatchObject({ id: 'a', title: 'updated' });
  await store.delete('b');
  expect(await store.get('b')).toBeUndefined();
  expect((await store.all()).map((c) => c.id)).toEqual(['a', 'c']);
  store.close();
});

test('export then import gives back the same chats; a streaming answer comes back as stopped', () => {
  const chats = [chat('a', 1)];
  const back = parseChatExport(exportChats(chats));
  expect(back[0]).toMatchObject({ id: 'a', title: 'Chat a', settings: FACTORY_SETTINGS });
  expect(back[0]?.messages[1]).toMatchObject({ content: 'partial', status: 'stopped' });
});

test('import refuses what is not an export, and cleans what it accepts', () => {
  expect(() => parseChatExport('nope')).toThrow(ImportError);
  expect(() => parseChatExport('{"chats":[]}')).toThrow('not a zai-chat export');
  expect(() => parseChatExport('{"format":"zai-chat/chats","chats":[42]}')).toThrow('Chat 1');
  const [cleaned] = parseChatExport(
    JSON.stringify({
      format: 'zai-chat/chats',
      chats: [
        {
          title: 5,
          settings: { temperature: 9 },
          messages: [
            { role: 'system', content: 'x' },
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'a', usage: { bogus: true }, status: 'done' },
          ],
        },
      ],
    }),
  );
  expect(cleaned?.title).toBe('Imported chat');
  expect(cleaned?.settings.temperature).toBe(1);
  expect(cleaned?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(cleaned?.messages[1]).not.toHaveProperty('usage');
  expect(cleaned?.id).toMatch(/\w{8,}/);
});
