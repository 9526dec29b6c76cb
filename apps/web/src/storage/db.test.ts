import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';
import { FACTORY_SETTINGS } from '../chat/settings';
import type { Chat } from '../chat/types';
import { ChatStore } from './db';
import { ImportError, exportChats, parseChatExport, parseChatFile } from './export';
import { ImageStore } from './images';

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

const withImage = (id: string, imageId: string): Chat => ({
  ...chat(id, 5),
  messages: [
    {
      id: `${id}-u`,
      role: 'user',
      content: '',
      createdAt: 5,
      attachments: [
        { id: imageId, name: 'cat.png', mime: 'image/png', width: 4, height: 3, bytes: 3 },
      ],
    },
    {
      id: `${id}-a`,
      role: 'assistant',
      content: '',
      reasoning: '',
      status: 'done',
      createdAt: 5,
      finishReason: 'tool_calls',
      toolCalls: [
        {
          index: 0,
          id: 'call_1',
          type: 'function',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
      ],
      sources: [
        { title: 'T', link: 'https://example.com', media: 'M', refer: 'ref_1', date: '2025-01-01' },
      ],
      answeredBy: { base: 'http://b', instance: 'api-2' },
    },
  ],
});

test('version 2 exports carry attachments with their images, tool calls, sources', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  const file = parseChatFile(exportChats([withImage('a', 'img-1')], new Date(), { 'img-1': png }));
  expect(file.chats[0]?.messages[0]).toMatchObject({
    attachments: [{ id: 'img-1', name: 'cat.png', mime: 'image/png', width: 4, height: 3 }],
  });
  expect(file.chats[0]?.messages[1]).toMatchObject({
    toolCalls: [{ index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    sources: [{ title: 'T', link: 'https://example.com', refer: 'ref_1' }],
    answeredBy: { base: 'http://b', instance: 'api-2' },
  });
  expect(file.images).toEqual(new Map([['img-1', png]]));
});

test('imported images must be image data URLs that a message refers to', () => {
  const text = exportChats([withImage('a', 'img-1')], new Date(), {
    'img-1': 'data:text/html;base64,PHNjcmlwdD4=',
    stray: 'data:image/png;base64,AAAA',
  });
  expect(parseChatFile(text).images.size).toBe(0);
  const ok = exportChats([withImage('a', 'img-1')], new Date(), {
    'img-1': 'data:image/jpeg;base64,/9j/4AAQ',
    stray: 'data:image/png;base64,AAAA',
  });
  expect([...parseChatFile(ok).images.keys()]).toEqual(['img-1']);
  // A version 1 file (no images) still imports.
  const v1 = JSON.stringify({ format: 'zai-chat/chats', version: 1, chats: [chat('b', 1)] });
  expect(parseChatFile(v1).chats).toHaveLength(1);
});

test('images live apart from chats: read on demand, pruned when no chat refers to them', async () => {
  const store = await ChatStore.open(`images-${Math.random()}`);
  const images = new ImageStore();
  images.put('early', 'data:image/png;base64,AAAA'); // before the database opened
  images.attach(store);
  images.put('kept', 'data:image/png;base64,BBBB');
  await vi.waitFor(async () => expect(await store.imageIds()).toEqual(['early', 'kept']));

  // A fresh page: nothing cached, the image is read from IndexedDB once.
  const later = new ImageStore();
  later.attach(store);
  expect(later.get('kept')).toBeUndefined();
  let changes = 0;
  later.subscribe(() => changes++);
  const [a, b] = await Promise.all([later.load('kept'), later.load('kept')]);
  expect(a).toBe('data:image/png;base64,BBBB');
  expect(b).toBe(a);
  expect(later.get('kept')).toBe(a);
  expect(changes).toBe(1);
  expect(await later.load('missing')).toBeUndefined();

  expect(await later.prune([withImage('c', 'kept')])).toBe(1);
  expect(await store.imageIds()).toEqual(['kept']);
  store.close();
});
