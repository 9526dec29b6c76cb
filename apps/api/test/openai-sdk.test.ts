import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Stack, startStack } from './stack';

/**
 * `/v1` driven by the SDKs people already use, unmodified and with their default retries
 * on: the `openai` SDK and the Vercel AI SDK's openai-compatible provider. Upstream requests
 * are counted at the simulator, so "one retry layer" is measured, not assumed.
 */
let stack: Stack;
let origin: string;
let openai: OpenAI;
let provider: ReturnType<typeof createOpenAICompatible>;
beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '3' });
  origin = await stack.listen();
  openai = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'not-needed-in-open-mode' });
  provider = createOpenAICompatible({
    name: 'zai-chat',
    baseURL: `${origin}/v1`,
    includeUsage: true,
  });
});
afterAll(() => stack.close());

let n = 0;
/** A unique prompt per call: the simulator's `-once` memory is keyed by message text. */
const prompt = (directive = '') => `question ${++n} ${directive}`.trim();

/** Upstream requests the simulator received while `call` ran. */
async function upstreamRequests(call: () => Promise<unknown>): Promise<number> {
  const before = stack.sim.totalRequests();
  await call().catch(() => undefined);
  return stack.sim.totalRequests() - before;
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
};

describe('openai SDK', () => {
  it('non-streaming: stream defaults to false and the answer is a chat.completion', async () => {
    const completion = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('hello') }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/^Simulated answer to "question/);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streaming: text arrives in chunks, usage comes with include_usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('stream') }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toMatch(/^Simulated answer to "question/);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('reasoning arrives as reasoning_content deltas before the content', async () => {
    const stream = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('[sim:reasoning]') }],
      stream: true,
    });
    const kinds: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string };
      if (delta?.reasoning_content) kinds.push('r');
      else if (delta?.content) kinds.push('c');
    }
    expect(kinds[0]).toBe('r');
    expect(kinds.lastIndexOf('r')).toBeLessThan(kinds.indexOf('c'));
  });

  it('a streamed tool call arrives in fragments and ends with finish_reason tool_calls', async () => {
    const stream = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('what is the weather in Paris?') }],
      stream: true,
      tools: [weatherTool],
    });
    let name = '';
    let args = '';
    let fragments = 0;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      if (call?.function?.arguments) {
        args += call.function.arguments;
        fragments++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(fragments).toBeGreaterThan(1);
    expect(JSON.parse(args)).toMatchObject({ city: expect.any(String) as string });
    expect(finish).toBe('tool_calls');
  });

  it('a non-streamed tool call comes back as message.tool_calls', async () => {
    const completion = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('weather?') }],
      tools: [weatherTool],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('a bad parameter is a BadRequestError naming the field, sent nowhere', async () => {
    const requests = await upstreamRequests(async () => {
      const err = await openai.chat.completions
        .create({
          model: 'glm-4.6',
          messages: [{ role: 'user', content: prompt() }],
          temperature: 1.5,
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const error = (err as InstanceType<typeof OpenAI.BadRequestError>).error as {
        param?: string;
        code?: string;
        type?: string;
      };
      expect(error).toMatchObject({ param: 'temperature', code: 'bad_request' });
      expect(error.type).toBe('invalid_request_error');
    });
    expect(requests).toBe(0);
  });

  it.each([
    [
      'upstream 429 rate limit (already retried by the API)',
      '[sim:error code=1302]',
      3,
      'rate_limited',
    ],
    ['upstream 500 (already retried by the API)', '[sim:server-error]', 3, 'upstream_unavailable'],
    ['upstream auth failure (final)', '[sim:auth]', 1, 'upstream_auth'],
    ['out of balance (final)', '[sim:balance]', 1, 'insufficient_balance'],
  ])(
    '%s: 424, x-should-retry false, and no SDK retry on top',
    async (_n, directive, expected, code) => {
      let caught: unknown;
      const requests = await upstreamRequests(async () => {
        caught = await openai.chat.completions
          .create({ model: 'glm-4.6', messages: [{ role: 'user', content: prompt(directive) }] })
          .catch((e: unknown) => e);
      });
      expect(requests).toBe(expected);
      expect(caught).toBeInstanceOf(OpenAI.APIError);
      const err = caught as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(424);
      expect(err.headers?.get('x-should-retry')).toBe('false');
      expect((err.error as { code?: string }).code).toBe(code);
    },
  );

  it('a mid-stream failure surfaces as an APIError after the text so far', async () => {
    const stream = await openai.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: prompt('[sim:drop]') }],
      stream: true,
    });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      code: 'upstream_error',
    });
  });

  it('lists the models with GET /v1/models', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(stack.config.upstream.models.map((m) => m.id));
  });
});

describe('Vercel AI SDK (openai-compatible provider)', () => {
  it('streamText streams the answer and reports usage', async () => {
    const result = streamText({ model: provider('glm-4.6'), prompt: prompt('ai sdk') });
    let text = '';
    let parts = 0;
    for await (const delta of result.textStream) {
      text += delta;
      parts++;
    }
    expect(parts).toBeGreaterThan(5);
    expect(text).toMatch(/^Simulated answer to "question/);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe('stop');
  });

  it('streamText surfaces reasoning as reasoning parts', async () => {
    const result = streamText({ model: provider('glm-4.6'), prompt: prompt('[sim:reasoning]') });
    let reasoning = '';
    for await (const part of result.fullStream) {
      if (part.type === 'reasoning-delta') reasoning += part.text;
    }
    expect(reasoning).toMatch(/^Let me think/);
  });

  it('streamText reports a streamed tool call with parsed input', async () => {
    const result = streamText({
      model: provider('glm-4.6'),
      prompt: prompt('weather in Paris?'),
      tools: {
        get_weather: tool({
          description: 'Current weather in a city',
          inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }),
        }),
      },
    });
    const calls: { toolName: string; input: unknown }[] = [];
    let inputDeltas = 0;
    for await (const part of result.fullStream) {
      if (part.type === 'tool-call') calls.push({ toolName: part.toolName, input: part.input });
      if (part.type === 'tool-input-delta') inputDeltas++;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      toolName: 'get_weather',
      input: { city: expect.any(String) as string },
    });
    expect(inputDeltas).toBeGreaterThan(1);
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('generateText works non-streaming', async () => {
    const { text, finishReason } = await generateText({
      model: provider('glm-4.6'),
      prompt: prompt('generate'),
    });
    expect(text).toMatch(/^Simulated answer to "question/);
    expect(finishReason).toBe('stop');
  });

  it.each([
    ['upstream 429 rate limit', '[sim:error code=1302]', 3],
    ['upstream 500', '[sim:server-error]', 3],
    ['upstream auth failure', '[sim:auth]', 1],
    ['out of balance', '[sim:balance]', 1],
  ])('%s: the SDK does not retry on top of the API', async (_n, directive, expected) => {
    let caught: unknown;
    const requests = await upstreamRequests(async () => {
      caught = await generateText({
        model: provider('glm-4.6'),
        prompt: prompt(directive),
      }).catch((e: unknown) => e);
    });
    expect(requests).toBe(expected);
    expect(APICallError.isInstance(caught)).toBe(true);
    expect((caught as APICallError).statusCode).toBe(424);
    expect((caught as APICallError).isRetryable).toBe(false);
  });
});
