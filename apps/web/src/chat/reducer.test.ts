import { describe, expect, test } from 'vitest';
import {
  type ChatsState,
  chatsReducer,
  initialState,
  settleInterrupted,
  titleFrom,
} from './reducer';
import { FACTORY_SETTINGS } from './settings';
import type { AssistantMessage, Chat, UserMessage } from './types';

const chat = (id: string, updatedAt: number, messages: Chat['messages'] = []): Chat => ({
  id,
  title: 'New chat',
  titleLocked: false,
  createdAt: updatedAt,
  updatedAt,
  settings: FACTORY_SETTINGS,
  messages,
});
const user = (id: string, content: string): UserMessage => ({
  id,
  role: 'user',
  content,
  createdAt: 1,
});
const answer = (id: string, over: Partial<AssistantMessage> = {}): AssistantMessage => ({
  id,
  role: 'assistant',
  content: '',
  reasoning: '',
  status: 'streaming',
  createdAt: 1,
  ...over,
});
const loaded = (...chats: Chat[]): ChatsState =>
  chatsReducer(initialState, { type: 'hydrate', chats });

describe('chatsReducer', () => {
  test('hydrate sorts newest first, selects the newest, and settles interrupted answers as stopped', () => {
    const state = loaded(
      chat('old', 1),
      chat('new', 5, [user('u', 'hi'), answer('a', { content: 'part' })]),
    );
    expect(state.chats.map((c) => c.id)).toEqual(['new', 'old']);
    expect(state.activeId).toBe('new');
    expect(state.chats[0]?.messages[1]).toMatchObject({ status: 'stopped', content: 'part' });
  });

  test('send appends the question and an empty streaming answer, and titles the chat from the question', () => {
    const state = chatsReducer(loaded(chat('c', 1)), {
      type: 'send',
      id: 'c',
      user: user('u', '  What is   GLM? '),
      assistant: answer('a'),
    });
    expect(state.chats[0]?.title).toBe('What is GLM?');
    expect(state.chats[0]?.messages.map((m) => m.id)).toEqual(['u', 'a']);
  });

  test('deltas append to a streaming answer only; finish freezes it', () => {
    let state = chatsReducer(loaded(chat('c', 1)), {
      type: 'send',
      id: 'c',
      user: user('u', 'q'),
      assistant: answer('a'),
    });
    state = chatsReducer(state, {
      type: 'delta',
      id: 'c',
      messageId: 'a',
      delta: { content: 'Hel', reasoning: 'r1' },
    });
    state = chatsReducer(state, {
      type: 'delta',
      id: 'c',
      messageId: 'a',
      delta: { content: 'lo', reasoning: '', finishReason: 'length' },
    });
    state = chatsReducer(state, { type: 'finish', id: 'c', messageId: 'a', status: 'stopped' });
    state = chatsReducer(state, {
      type: 'delta',
      id: 'c',
      messageId: 'a',
      delta: { content: ' late', reasoning: '' },
    });
    expect(state.chats[0]?.messages[1]).toMatchObject({
      content: 'Hello',
      reasoning: 'r1',
      status: 'stopped',
      finishReason: 'length',
    });
  });

  test('regenerate replaces the trailing answer; edit replaces everything after the edited message', () => {
    const messages = [
      user('u1', 'one'),
      answer('a1', { status: 'done', content: 'A1' }),
      user('u2', 'two'),
      answer('a2', { status: 'error' }),
    ];
    let state = loaded(chat('c', 1, messages));
    state = chatsReducer(state, { type: 'regenerate', id: 'c', assistant: answer('a3') });
    expect(state.chats[0]?.messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u2', 'a3']);
    state = chatsReducer(state, {
      type: 'edit',
      id: 'c',
      messageId: 'u1',
      content: 'uno',
      assistant: answer('a4'),
    });
    expect(state.chats[0]?.messages.map((m) => m.id)).toEqual(['u1', 'a4']);
    expect(state.chats[0]?.messages[0]).toMatchObject({ content: 'uno' });
  });

  test('rename locks the title; delete then restore brings the chat back', () => {
    let state = loaded(chat('a', 1), chat('b', 2));
    state = chatsReducer(state, { type: 'rename', id: 'a', title: 'Mine' });
    state = chatsReducer(state, { type: 'rename', id: 'a', title: '   ' });
    const renamed = state.chats.find((c) => c.id === 'a')!;
    expect(renamed).toMatchObject({ title: 'Mine', titleLocked: true });
    state = chatsReducer(state, {
      type: 'send',
      id: 'a',
      user: user('u', 'question'),
      assistant: answer('x'),
    });
    expect(state.chats.find((c) => c.id === 'a')?.title).toBe('Mine');

    const removed = state.chats.find((c) => c.id === 'b')!;
    state = chatsReducer(state, { type: 'delete', id: 'b' });
    expect(state.chats.map((c) => c.id)).toEqual(['a']);
    state = chatsReducer(state, { type: 'restore', chat: removed });
    expect(state.chats.map((c) => c.id).sort()).toEqual(['a', 'b']);
  });

  test('a chat deleted mid-answer comes back from Undo with that answer stopped', () => {
    const streaming = chat('s', 1, [user('u', 'q'), answer('a', { content: 'half' })]);
    let state = chatsReducer(initialState, { type: 'create', chat: streaming });
    state = chatsReducer(state, { type: 'delete', id: 's' });
    state = chatsReducer(state, { type: 'restore', chat: streaming });
    expect(state.chats[0]?.messages[1]).toMatchObject({ status: 'stopped', content: 'half' });
  });

  test('import replaces chats with the same id and keeps the rest', () => {
    const state = chatsReducer(loaded(chat('a', 1), chat('b', 2)), {
      type: 'import',
      chats: [{ ...chat('a', 9), title: 'Imported' }],
    });
    expect(state.chats.map((c) => [c.id, c.title])).toEqual([
      ['a', 'Imported'],
      ['b', 'New chat'],
    ]);
  });
});

test('titleFrom drops simulator directives, squashes space and shortens', () => {
  expect(titleFrom('[sim:slow ms=10] Hello\n there')).toBe('Hello there');
  expect(titleFrom('x'.repeat(100))).toHaveLength(60);
  expect(titleFrom('[sim:normal]')).toBe('New chat');
});

test('settleInterrupted leaves settled chats untouched (same object, so nothing is re-saved)', () => {
  const c = chat('a', 1, [answer('x', { status: 'done' })]);
  expect(settleInterrupted(c)).toBe(c);
});

describe('streams saved with answers', () => {
  const ref = { streamId: 'stream000000000001', base: '', resumable: true };

  test('hydrate with resume keeps resumable streaming answers streaming, reconnecting; the rest stop', () => {
    const c = chat('c', 1, [
      user('q1', 'one'),
      answer('a1', { content: 'resumable', stream: { ...ref, lastEventId: '4' } }),
      user('q2', 'two'),
      answer('a2', { content: 'not', stream: { ...ref, resumable: false } }),
    ]);
    const state = chatsReducer(initialState, { type: 'hydrate', chats: [c], resume: true });
    const [, a1, , a2] = state.chats[0]!.messages as AssistantMessage[];
    expect(a1).toMatchObject({ status: 'streaming', reconnecting: true, content: 'resumable' });
    expect(a1!.stream).toEqual({ ...ref, lastEventId: '4' });
    expect(a2).toMatchObject({ status: 'stopped', content: 'not' });
    expect(a2!.stream).toBeUndefined();
    // Without resume (no API to resume from), both are stopped as before.
    const plain = loaded(c).chats[0]!.messages as AssistantMessage[];
    expect(plain.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual([
      'stopped',
      'stopped',
    ]);
  });

  test('a delta’s frame id lands with its text; headers of a resume keep the saved frame id', () => {
    let s = chatsReducer(loaded(chat('c', 1)), {
      type: 'send',
      id: 'c',
      user: user('q', 'hi'),
      assistant: answer('a'),
    });
    const delta = (d: object) =>
      (s = chatsReducer(s, {
        type: 'delta',
        id: 'c',
        messageId: 'a',
        delta: { content: '', reasoning: '', ...d },
      }));
    const a = () => s.chats[0]!.messages[1] as AssistantMessage;
    delta({ stream: ref });
    expect(a().stream).toEqual(ref);
    delta({ content: 'ab', eventId: '2' });
    expect(a()).toMatchObject({ content: 'ab', stream: { ...ref, lastEventId: '2' } });
    delta({ stream: { ...ref, base: 'http://other' } });
    expect(a().stream).toEqual({ ...ref, base: 'http://other', lastEventId: '2' });
    delta({ reconnecting: true });
    expect(a().reconnecting).toBe(true);
    delta({ reconnecting: false });
    expect(a().reconnecting).toBeUndefined();
    delta({ reconnecting: true });
    s = chatsReducer(s, { type: 'finish', id: 'c', messageId: 'a', status: 'stopped' });
    expect(a()).toMatchObject({ status: 'stopped', content: 'ab' });
    expect(a().stream).toBeUndefined();
    expect(a().reconnecting).toBeUndefined();
  });
});
