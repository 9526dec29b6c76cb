import { describe, expect, it } from 'vitest';
import { ChatChunk, ChatRequest, ErrorBody } from '../src';

describe('ChatRequest', () => {
  const base = { messages: [{ role: 'user', content: 'hi' }] };

  it('streams by default', () => {
    expect(ChatRequest.parse(base).stream).toBe(true);
    expect(ChatRequest.parse({ ...base, stream: false }).stream).toBe(false);
  });

  it('accepts every role, string or parts content, tool calls, thinking', () => {
    const parsed = ChatRequest.parse({
      model: 'glm-4.5v',
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', content: '42', tool_call_id: 't1' },
      ],
      temperature: 0,
      top_p: 0.01,
      max_tokens: 100,
      stop: ['\n\n'],
      thinking: { type: 'enabled' },
      user_id: 'u1',
      request_id: 'r1',
    });
    expect(parsed.messages).toHaveLength(4);
  });

  it.each([
    ['temperature above 1 (GLM range, not OpenAI’s)', { temperature: 1.5 }],
    ['top_p below 0.01', { top_p: 0 }],
    ['max_tokens zero', { max_tokens: 0 }],
    ['thinking type unknown', { thinking: { type: 'maybe' } }],
  ])('rejects %s', (_name, extra) => {
    expect(ChatRequest.safeParse({ ...base, ...extra }).success).toBe(false);
  });

  it('accepts model names it does not know (the list grows)', () => {
    expect(ChatRequest.parse({ ...base, model: 'glm-9-future' }).model).toBe('glm-9-future');
  });
});

describe('ChatChunk', () => {
  it('parses the recorded Z.AI shapes from the protocol page', () => {
    const recorded = [
      '{"id":"2025","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Let me think"}}]}',
      '{"id":"2025","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}',
      '{"id":"2025","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"finish_reason":"stop","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":12,"completion_tokens":40,"total_tokens":52,"prompt_tokens_details":{"cached_tokens":3}}}',
    ];
    for (const text of recorded) expect(ChatChunk.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('accepts a finish reason it does not know yet', () => {
    const chunk = {
      id: 'x',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'brand_new' }],
    };
    expect(ChatChunk.parse(chunk).choices?.[0]?.finish_reason).toBe('brand_new');
  });
});

describe('ErrorBody', () => {
  it('requires a known code and a request id', () => {
    expect(
      ErrorBody.safeParse({ error: { code: 'rate_limited', message: 'm', requestId: 'r' } })
        .success,
    ).toBe(true);
    expect(
      ErrorBody.safeParse({ error: { code: 'teapot', message: 'm', requestId: 'r' } }).success,
    ).toBe(false);
    expect(ErrorBody.safeParse({ error: { code: 'rate_limited', message: 'm' } }).success).toBe(
      false,
    );
  });
});
