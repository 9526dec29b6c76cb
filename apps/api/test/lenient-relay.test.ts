import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatChunk } from '@zai-chat/contract';
import { ChatApiError, DONE_SENTINEL, ERROR_EVENT, streamChat } from '@zai-chat/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createUpstreamClient } from '../src/upstream/client';
import { framesOf } from './stack';

/**
 * Lenient reader, faithful writer. A stand-in upstream that is not our simulator sends
 * whatever frames a test hands it; the relay must forward every usable chunk byte for byte
 * (nulls, unknown fields, shapes no schema foresaw) and the typed client must accept them.
 */
const queue: string[][] = [];
let upstream: Server;
let origin: string;
let api: Server;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const frames = queue.shift() ?? [];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(frames.map((f) => `data: ${f}\n\n`).join(''));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    SIMULATOR_URL: upstreamUrl,
    SIMULATOR_API_KEY: 'stand-in-key',
    RATE_LIMIT_MAX: '100000',
    UPSTREAM_MAX_ATTEMPTS: '1',
  });
  const app = createApp(config, {
    upstream: createUpstreamClient({
      kind: 'simulator',
      baseUrl: upstreamUrl,
      apiKey: 'stand-in-key',
      auth: 'bearer',
      firstByteTimeoutMs: 5000,
    }),
    logger: createLogger('silent'),
  });
  api = app.listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  upstream.closeAllConnections();
  await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => upstream.close(r))]);
});

async function relay(
  frames: string[],
): Promise<{ status: number; data: string[]; events: (string | undefined)[] }> {
  queue.push(frames);
  const res = await fetch(`${origin}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  const parsed = await framesOf(await res.text());
  return {
    status: res.status,
    data: parsed.map((f) => f.data),
    events: parsed.map((f) => f.event),
  };
}

async function readTyped(frames: string[]) {
  queue.push(frames);
  const chunks: ChatChunk[] = [];
  for await (const chunk of streamChat(
    { messages: [{ role: 'user', content: 'hi' }] },
    { baseUrl: origin },
  ))
    chunks.push(chunk);
  return chunks;
}

const json = fc.jsonValue({ maxDepth: 2 });
const nullish = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.constant(null), fc.constant(undefined));
/** Extra fields no schema knows, mixed into any object. */
const extras = fc.dictionary(
  fc
    .string({ minLength: 1, maxLength: 8 })
    .filter((k) => !['choices', 'usage', 'error'].includes(k)),
  json,
  { maxKeys: 3 },
);
const delta = fc.record(
  {
    role: nullish(fc.constantFrom('assistant', 'tool', 'user')),
    content: nullish(fc.string({ maxLength: 20 })),
    reasoning_content: nullish(fc.string({ maxLength: 20 })),
    tool_calls: nullish(
      fc.array(
        fc.record({
          index: fc.nat(3),
          id: nullish(fc.string({ maxLength: 8 })),
          type: nullish(fc.constant('function')),
          function: nullish(
            fc.record({
              name: nullish(fc.string({ maxLength: 8 })),
              arguments: nullish(fc.string({ maxLength: 12 })),
            }),
          ),
        }),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const usage = fc.record(
  {
    prompt_tokens: nullish(fc.nat(1000)),
    completion_tokens: nullish(fc.nat(1000)),
    total_tokens: nullish(fc.nat(2000)),
    prompt_tokens_details: nullish(fc.record({ cached_tokens: nullish(fc.nat(100)) })),
  },
  { requiredKeys: [] },
);
const chunk = fc
  .record(
    {
      id: nullish(fc.string({ maxLength: 12 })),
      object: nullish(fc.constant('chat.completion.chunk')),
      created: nullish(
        fc.oneof(fc.integer({ min: 0 }), fc.double({ min: 0, max: 2e9, noNaN: true })),
      ),
      model: nullish(fc.string({ maxLength: 10 })),
      choices: fc.array(
        fc.record(
          {
            index: nullish(fc.nat(2)),
            delta: nullish(delta),
            finish_reason: nullish(fc.constantFrom('stop', 'length', 'tool_calls', 'brand_new')),
            logprobs: fc.constant(null),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      usage: nullish(usage),
      system_fingerprint: nullish(fc.string({ maxLength: 6 })),
    },
    { requiredKeys: ['choices'] },
  )
  .chain((c) => extras.map((e) => ({ ...e, ...c })));
/** Serialised as a server might: compact or spaced, nulls kept. */
const frameText = fc
  .tuple(chunk, fc.boolean())
  .map(([c, spaced]) => JSON.stringify(c, null, spaced ? 1 : undefined).replace(/\n/g, ' '));

describe('lenient reader, faithful writer', () => {
  it('forwards any usable chunk byte for byte and ends with [DONE]', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameText, { minLength: 1, maxLength: 6 }), async (frames) => {
        const { status, data, events } = await relay([...frames, DONE_SENTINEL]);
        expect(status).toBe(200);
        expect(events.every((e) => e === undefined)).toBe(true);
        expect(data).toEqual([...frames, DONE_SENTINEL]);
      }),
      { numRuns: 150 },
    );
  });

  it('the typed client reads every one of them without a protocol error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameText, { minLength: 1, maxLength: 4 }), async (frames) => {
        const chunks = await readTyped([...frames, DONE_SENTINEL]);
        expect(chunks).toHaveLength(frames.length);
      }),
      { numRuns: 100 },
    );
  });

  it('the shapes OpenAI-compatible servers send on every chunk pass', async () => {
    const frames = [
      '{"id":"a","object":"chat.completion.chunk","created":1730000000.5,"model":"glm-4.6","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":null},"logprobs":null,"finish_reason":null}],"usage":null}',
      '{"id":"a","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":null,"content":"Hel"},"finish_reason":null}],"usage":null}',
      '{"id":"a","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":"tool","content":"lo"},"finish_reason":null}]}',
      '{"id":"a","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}',
      '{"id":"a","created":1730000000,"model":"glm-4.6","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}]}',
      '{"id":"a","created":1730000000,"model":"glm-4.6","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"prompt_tokens_details":null}}',
    ];
    const { data } = await relay([...frames, DONE_SENTINEL]);
    expect(data).toEqual([...frames, DONE_SENTINEL]);
    const chunks = await readTyped([...frames, DONE_SENTINEL]);
    expect(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')).toBe('Hello');
    expect(chunks[4]?.choices?.[0]?.delta?.tool_calls?.[0]?.function?.arguments).toBe(
      '{"city":"Paris"}',
    );
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5);
  });

  it.each([
    ['not JSON', 'not json at all'],
    ['a JSON array', '[1,2,3]'],
    ['a number', '42'],
    ['an object with neither choices nor usage', '{"id":"x","model":"m"}'],
    ['choices that is not an array', '{"choices":{"0":{}}}'],
  ])('%s is a protocol error, after the good chunks before it', async (_name, bad) => {
    const good = '{"id":"a","choices":[{"delta":{"content":"ok"}}]}';
    const { data, events } = await relay([good, bad, good, DONE_SENTINEL]);
    expect(data[0]).toBe(good);
    expect(events.at(-1)).toBe(ERROR_EVENT);
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_protocol' } });
    expect(data).not.toContain(bad);
    queue.push([good, bad]);
    const err = await (async () => {
      for await (const _ of streamChat(
        { messages: [{ role: 'user', content: 'x' }] },
        { baseUrl: origin },
      )) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatApiError);
    expect((err as ChatApiError).code).toBe('upstream_protocol');
  });
});
