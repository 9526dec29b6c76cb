import { renderHook } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { FACTORY_SETTINGS } from '../chat/settings';
import type { Chat } from '../chat/types';
import { type ChatExport, exportChats } from '../storage/export';
import { useChatFiles } from './useChatFiles';

const chat: Chat = {
  id: 'c1',
  title: 'Kept',
  titleLocked: false,
  createdAt: 1,
  updatedAt: 1,
  settings: FACTORY_SETTINGS,
  messages: [{ id: 'm1', role: 'user', content: 'hi', createdAt: 1 }],
};

afterEach(() => vi.restoreAllMocks());

test('export downloads every chat as a dated JSON file', async () => {
  let blob: Blob | undefined;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    blob = b as Blob;
    return 'blob:test';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  const clicked: HTMLAnchorElement[] = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    clicked.push(this);
  });
  const { result } = renderHook(() =>
    useChatFiles(
      () => {},
      () => new Date('2026-03-04T10:00:00Z'),
    ),
  );
  await result.current.exportAll([chat]);
  expect(clicked).toHaveLength(1);
  expect(clicked[0]?.download).toBe('zai-chat-2026-03-04.json');
  expect(clicked[0]?.href).toBe('blob:test');
  const file = JSON.parse(await blob!.text()) as ChatExport;
  expect(file.chats[0]).toMatchObject({ id: 'c1', title: 'Kept' });
});

test('import hands the chats over and says how many; a bad file is refused in words', async () => {
  const imported: Chat[][] = [];
  const { result } = renderHook(() => useChatFiles((c) => imported.push(c.chats)));
  const good = new File([exportChats([chat])], 'chats.json', { type: 'application/json' });
  expect(await result.current.importFile(good)).toBe('Imported 1 chat.');
  expect(imported[0]?.[0]).toMatchObject({ id: 'c1', title: 'Kept' });

  const bad = new File(['{"nope":1}'], 'bad.json', { type: 'application/json' });
  expect(await result.current.importFile(bad)).toBe(
    'Import failed: The file is not a zai-chat export.',
  );
  expect(await result.current.importFile(new File(['not json'], 'x.json'))).toBe(
    'Import failed: The file is not JSON.',
  );
  expect(imported).toHaveLength(1);
});

test('export embeds the images its chats refer to', async () => {
  let blob: Blob | undefined;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    blob = b as Blob;
    return 'blob:test';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
  const withImage: Chat = {
    ...chat,
    messages: [
      {
        id: 'm1',
        role: 'user',
        content: '',
        createdAt: 1,
        attachments: [
          { id: 'img', name: 'a.png', mime: 'image/png', width: 1, height: 1, bytes: 1 },
        ],
      },
    ],
  };
  const { result } = renderHook(() =>
    useChatFiles(
      () => {},
      () => new Date(),
      async (id) => (id === 'img' ? 'data:image/png;base64,AAAA' : undefined),
    ),
  );
  await result.current.exportAll([withImage]);
  const file = JSON.parse(await blob!.text()) as ChatExport;
  expect(file.version).toBe(2);
  expect(file.images).toEqual({ img: 'data:image/png;base64,AAAA' });
});
