import { ChatRequest } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { attachmentIssues, buildChatRequest, buildRequest } from './request';
import type { Attachment, Message } from './types';
import { FACTORY_SETTINGS, loadDefaultSettings, sanitizeSettings } from './settings';

test('the request carries settings, the system prompt, and leaves out failed answers; it passes the contract', () => {
  const request = buildChatRequest(
    { settings: { ...FACTORY_SETTINGS, systemPrompt: 'Be brief', thinking: true } },
    [
      { id: '1', role: 'user', content: 'q1', createdAt: 0 },
      {
        id: '2',
        role: 'assistant',
        content: 'partial',
        reasoning: '',
        status: 'stopped',
        createdAt: 0,
      },
      { id: '3', role: 'user', content: 'q2', createdAt: 0 },
      { id: '4', role: 'assistant', content: 'half', reasoning: '', status: 'error', createdAt: 0 },
      { id: '5', role: 'user', content: 'q3', createdAt: 0 },
    ],
  );
  expect(request.messages.map((m) => `${m.role}:${m.content as string}`)).toEqual([
    'system:Be brief',
    'user:q1',
    'assistant:partial',
    'user:q2',
    'user:q3',
  ]);
  expect(request.thinking).toEqual({ type: 'enabled' });
  expect(ChatRequest.safeParse(request).success).toBe(true);
});

test('settings are clamped into the contract ranges and bad saved defaults fall back', () => {
  expect(sanitizeSettings({ temperature: 7, top_p: 0, max_tokens: -3, model: ' ' })).toMatchObject({
    temperature: 1,
    top_p: 0.01,
    max_tokens: 1,
    model: FACTORY_SETTINGS.model,
  });
  expect(loadDefaultSettings({ getItem: () => '{not json' })).toEqual(FACTORY_SETTINGS);
  expect(
    loadDefaultSettings({ getItem: () => '{"model":"glm-4.5","temperature":"hot"}' }),
  ).toMatchObject({
    model: 'glm-4.5',
    temperature: FACTORY_SETTINGS.temperature,
  });
});

test('a chat whose stored max_tokens exceeds the API ceiling is clamped before sending', () => {
  const history = [{ id: '1', role: 'user' as const, content: 'q', createdAt: 0 }];
  const chat = { settings: { ...FACTORY_SETTINGS, max_tokens: 131_072 } };
  expect(buildChatRequest(chat, history, { maxTokensCeiling: 32_768 }).max_tokens).toBe(32_768);
  expect(buildChatRequest(chat, history, { maxTokensCeiling: 200_000 }).max_tokens).toBe(131_072);
  // An empty model means "the API's default": the request leaves it out.
  expect(buildChatRequest(chat, history, { maxTokensCeiling: 32_768 })).not.toHaveProperty('model');
});

const attachment = (id: string, name = `${id}.png`): Attachment => ({
  id,
  name,
  mime: 'image/png',
  width: 10,
  height: 10,
  bytes: 100,
});
const url = (id: string) => `data:image/png;base64,${id}`;

test('images become image_url parts before the text; the map names each part’s attachment', () => {
  const history: Message[] = [
    {
      id: 'u1',
      role: 'user',
      content: 'what is this?',
      createdAt: 0,
      attachments: [attachment('a'), attachment('b')],
    },
    {
      id: 'x1',
      role: 'assistant',
      content: 'two cats',
      reasoning: '',
      status: 'done',
      createdAt: 0,
    },
    { id: 'u2', role: 'user', content: '', createdAt: 0, attachments: [attachment('c')] },
  ];
  const { request, origins } = buildRequest(
    { settings: { ...FACTORY_SETTINGS, systemPrompt: 'sys' } },
    history,
    { model: { vision: true, reasoning: true }, imageUrl: url },
  );
  expect(request.messages[1]?.content).toEqual([
    { type: 'image_url', image_url: { url: url('a') } },
    { type: 'image_url', image_url: { url: url('b') } },
    { type: 'text', text: 'what is this?' },
  ]);
  // An image alone is a message of its own: no empty text part.
  expect(request.messages[3]?.content).toEqual([
    { type: 'image_url', image_url: { url: url('c') } },
  ]);
  expect(origins).toEqual([
    { parts: [] },
    { messageId: 'u1', parts: ['a', 'b', undefined] },
    { messageId: 'x1', parts: [] },
    { messageId: 'u2', parts: ['c'] },
  ]);
  expect(ChatRequest.safeParse(request).success).toBe(true);

  // The API's issue paths lead back to the attachment; a request-wide one stays general.
  const mapped = attachmentIssues(
    [
      { path: 'messages.1.content.1', message: 'too big' },
      { path: 'messages.3.content.0', message: 'also too big' },
      { path: 'messages', message: 'too many' },
      { path: 'messages.1.content.2', message: 'a text part?' },
    ],
    origins,
  );
  expect(mapped.attached).toEqual([
    { messageId: 'u1', attachmentId: 'b', message: 'too big' },
    { messageId: 'u2', attachmentId: 'c', message: 'also too big' },
  ]);
  expect(mapped.general.map((i) => i.path)).toEqual(['messages', 'messages.1.content.2']);
});

test('only the newest images up to the limit are sent; the rest stay as text in place', () => {
  const history: Message[] = [
    {
      id: 'u1',
      role: 'user',
      content: 'old',
      createdAt: 0,
      attachments: [attachment('a'), attachment('b')],
    },
    { id: 'u2', role: 'user', content: 'new', createdAt: 0, attachments: [attachment('c')] },
  ];
  const { request, origins } = buildRequest({ settings: FACTORY_SETTINGS }, history, {
    model: { vision: true, reasoning: true },
    maxImages: 2,
    imageUrl: url,
  });
  expect(request.messages[0]?.content).toEqual([
    { type: 'text', text: '[Image “a.png”: sent earlier, not again]' },
    { type: 'image_url', image_url: { url: url('b') } },
    { type: 'text', text: 'old' },
  ]);
  expect(origins[0]?.parts).toEqual([undefined, 'b', undefined]);
  expect(request.messages[1]?.content).toEqual([
    { type: 'image_url', image_url: { url: url('c') } },
    { type: 'text', text: 'new' },
  ]);
});

test('a model without vision gets no images; one without reasoning no thinking switch', () => {
  const history: Message[] = [
    { id: 'u1', role: 'user', content: 'hi', createdAt: 0, attachments: [attachment('a')] },
  ];
  const request = buildChatRequest({ settings: { ...FACTORY_SETTINGS, thinking: true } }, history, {
    model: { vision: false, reasoning: false },
    imageUrl: url,
  });
  expect(request.messages[0]?.content).toEqual([
    { type: 'text', text: '[Image “a.png”: this model does not read images]' },
    { type: 'text', text: 'hi' },
  ]);
  expect(request).not.toHaveProperty('thinking');
  // A model the API did not describe is sent what the chat has.
  expect(
    buildChatRequest({ settings: FACTORY_SETTINGS }, history, { imageUrl: url }).messages[0]
      ?.content,
  ).toEqual([
    { type: 'image_url', image_url: { url: url('a') } },
    { type: 'text', text: 'hi' },
  ]);
  // An image the store lost is said so, not sent empty.
  expect(
    buildChatRequest({ settings: FACTORY_SETTINGS }, history, {}).messages[0]?.content,
  ).toEqual([
    { type: 'text', text: '[Image “a.png”: no longer stored in this browser]' },
    { type: 'text', text: 'hi' },
  ]);
});

test('earlier images that would not fit the body limit are not resent; the latest always go', () => {
  const big = (id: string) => `data:image/jpeg;base64,${id.repeat(100)}`;
  const history: Message[] = [
    { id: 'u1', role: 'user', content: 'old', createdAt: 0, attachments: [attachment('a')] },
    { id: 'u2', role: 'user', content: 'older?', createdAt: 0, attachments: [attachment('b')] },
    {
      id: 'u3',
      role: 'user',
      content: 'new',
      createdAt: 0,
      attachments: [attachment('c'), attachment('d')],
    },
  ];
  const { origins } = buildRequest({ settings: FACTORY_SETTINGS }, history, {
    model: { vision: true, reasoning: true },
    // Room for the latest two and one more.
    maxImageChars: big('x').length * 3,
    imageUrl: big,
  });
  expect(origins.map((o) => o.parts)).toEqual([
    [undefined, undefined],
    ['b', undefined],
    ['c', 'd', undefined],
  ]);
  // Even alone over the budget, the latest question's images are sent (the API may refuse them).
  const tight = buildRequest({ settings: FACTORY_SETTINGS }, history, {
    maxImageChars: 10,
    imageUrl: big,
  });
  expect(tight.origins[2]?.parts).toEqual(['c', 'd', undefined]);
  expect(tight.origins[1]?.parts).toEqual([undefined, undefined]);
});
