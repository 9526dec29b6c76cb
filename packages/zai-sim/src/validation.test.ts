import { describe, expect, test } from 'vitest';
import { validateChatBody } from './validation';

const ok = { messages: [{ role: 'user', content: 'hi' }] };

describe('1214 parameter validation', () => {
  test.each([
    ['temperature', { temperature: -0.1 }],
    ['temperature', { temperature: 1.01 }],
    ['temperature', { temperature: '0.5' }],
    ['top_p', { top_p: 0 }],
    ['top_p', { top_p: 0.009 }],
    ['top_p', { top_p: 1.5 }],
    ['max_tokens', { max_tokens: 0 }],
    ['max_tokens', { max_tokens: -5 }],
    ['max_tokens', { max_tokens: 1.5 }],
    ['max_tokens', { max_tokens: 98_305 }],
    ['max_tokens', { max_tokens: '100' }],
    ['messages', { messages: [] }],
    ['messages', { messages: 'hi' }],
    ['messages', { messages: undefined }],
    ['messages[0]', { messages: [null] }],
    ['messages[1].role', { messages: [{ role: 'user', content: 'a' }, { role: 'robot' }] }],
    ['messages[0].role', { messages: [{ content: 'no role' }] }],
  ])('%s refused: %j', (field, patch) => {
    const error = validateChatBody({ ...ok, ...patch });
    expect(error).toEqual({
      status: 400,
      code: '1214',
      message: `${field} 参数非法。请检查文档`,
    });
  });

  test.each([
    { temperature: 0 },
    { temperature: 1 },
    { top_p: 0.01 },
    { top_p: 1 },
    { max_tokens: 1 },
    { max_tokens: 98_304 },
    { temperature: null, top_p: null, max_tokens: null },
    { model: 'a-model-nobody-has-heard-of' },
    {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: null, tool_calls: [] },
        { role: 'tool', content: '{}', tool_call_id: 'call_1' },
      ],
    },
  ])('accepted: %j', (patch) => {
    expect(validateChatBody({ ...ok, ...patch })).toBeUndefined();
  });
});
