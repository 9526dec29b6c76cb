import type { ChatChunk } from '@zai-chat/contract';
import { expect, test, vi } from 'vitest';
import type { StreamDelta } from './reducer';
import { StreamBatcher } from './streamBatcher';

const chunk = (
  content: string,
  extra: Partial<NonNullable<ChatChunk['choices']>[number]> = {},
): ChatChunk => ({
  id: 'x',
  created: 1,
  model: 'glm-4.6',
  choices: [{ index: 0, delta: { content }, ...extra }],
});

test('many chunks become one delivery per frame, in order, with nothing lost', async () => {
  vi.useFakeTimers();
  const delivered: StreamDelta[] = [];
  const batcher = new StreamBatcher((d) => delivered.push(d), 50);
  for (let i = 0; i < 100; i++) batcher.push(chunk(String(i % 10)));
  expect(delivered).toHaveLength(0);
  vi.advanceTimersByTime(60);
  expect(delivered).toHaveLength(1);
  batcher.push(chunk('!', { finish_reason: 'stop' }));
  batcher.flush();
  batcher.flush();
  expect(delivered).toHaveLength(2);
  expect(delivered.map((d) => d.content).join('')).toBe('0123456789'.repeat(10) + '!');
  expect(delivered[1]).toMatchObject({ finishReason: 'stop', model: 'glm-4.6' });
  vi.useRealTimers();
});

test('tool-call fragments and web-search results ride along; the reducer assembles them', async () => {
  const { chatsReducer, initialState } = await import('./reducer');
  const { FACTORY_SETTINGS } = await import('./settings');
  const delivered: StreamDelta[] = [];
  const batcher = new StreamBatcher((d) => delivered.push(d));
  batcher.push({
    ...chunk(''),
    web_search: [{ title: 'T <b>x</b>', link: 'javascript:alert(1)', refer: 'ref_1' }],
  });
  batcher.push({
    ...chunk(''),
    choices: [
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }] },
      },
    ],
  });
  batcher.flush();
  batcher.push({
    ...chunk(''),
    choices: [
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
        finish_reason: 'tool_calls',
      },
    ],
  });
  batcher.flush();
  expect(delivered[0]?.sources).toEqual([
    { title: 'T <b>x</b>', link: 'javascript:alert(1)', media: '', refer: 'ref_1', date: '' },
  ]);
  expect(delivered[1]?.sources).toBeUndefined();

  let state = chatsReducer(initialState, { type: 'hydrate', chats: [] });
  const chat = {
    id: 'c',
    title: 'New chat',
    titleLocked: false,
    createdAt: 1,
    updatedAt: 1,
    settings: FACTORY_SETTINGS,
    messages: [],
  };
  state = chatsReducer(state, { type: 'create', chat });
  state = chatsReducer(state, {
    type: 'send',
    id: 'c',
    user: { id: 'u', role: 'user', content: 'q', createdAt: 1 },
    assistant: {
      id: 'a',
      role: 'assistant',
      content: '',
      reasoning: '',
      status: 'streaming',
      createdAt: 1,
    },
  });
  for (const delta of delivered)
    state = chatsReducer(state, { type: 'delta', id: 'c', messageId: 'a', delta });
  const answer = state.chats[0]?.messages[1];
  expect(answer).toMatchObject({
    toolCalls: [{ index: 0, id: 'c1', name: 'f', arguments: '{"a":1}' }],
    sources: [{ title: 'T <b>x</b>', refer: 'ref_1' }],
    finishReason: 'tool_calls',
  });
});

test('the frame id of the last chunk travels in the same delivery as its text', () => {
  const delivered: StreamDelta[] = [];
  const batcher = new StreamBatcher((d) => delivered.push(d), 50);
  batcher.push(chunk('a'), '1');
  batcher.push(chunk('b'), '2');
  batcher.flush();
  batcher.push(chunk('c'));
  batcher.flush();
  expect(delivered[0]).toMatchObject({ content: 'ab', eventId: '2' });
  expect(delivered[1]).toMatchObject({ content: 'c' });
  expect(delivered[1]).not.toHaveProperty('eventId');
});
