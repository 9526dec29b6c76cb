import { ChatRequest } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { buildChatRequest } from './request';
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
  expect(buildChatRequest(chat, history, 32_768).max_tokens).toBe(32_768);
  expect(buildChatRequest(chat, history, 200_000).max_tokens).toBe(131_072);
  // An empty model means "the API's default": the request leaves it out.
  expect(buildChatRequest(chat, history, 32_768)).not.toHaveProperty('model');
});
