import { HEADERS } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../faults/helpers';
import { type Stack, startStack } from '../stack';
import { type RedisServer, startRedis } from '../support/redis-server';
import { waitForRedis } from './helpers';

/**
 * The opt-in response cache: a cacheable request answered in full before is replayed from
 * Redis as the same frames, with no upstream call.
 */
let redis: RedisServer;
let stack: Stack;
let baseUrl: string;

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({
    REDIS_URL: redis.url,
    RESPONSE_CACHE_TTL_S: '60',
    INSTANCE_ID: 'cached',
    // Answers are cached per owner: the test client plays the auth proxy, and names the user.
    ACCESS_MODE: 'proxy',
    TRUST_PROXY: '127.0.0.1',
  });
  baseUrl = await stack.listen();
  await waitForRedis(stack);
});

afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

interface Answer {
  status: number;
  cache: string | null;
  text: string;
  upstreamCalls: number;
}

/** One streamed request; how many upstream calls it cost. */
async function ask(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  options: { url?: string; path?: string } = {},
): Promise<Answer> {
  const before = stack.sim.totalRequests();
  const res = await fetch(`${options.url ?? baseUrl}${options.path ?? '/api/chat'}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-Email': 'tester@example.com',
      ...headers,
    },
    body: JSON.stringify({ stream: true, ...body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    cache: res.headers.get(HEADERS.cache),
    text,
    upstreamCalls: stack.sim.totalRequests() - before,
  };
}

const user = (content: string) => [{ role: 'user', content }];

/** The cache stores complete answers after they were sent: wait for the write to land. */
async function stored(count: number): Promise<void> {
  await expect.poll(async () => (await redis.client().keys('zc:cache:*')).length).toBe(count);
}

describe('response cache', () => {
  it('temperature 0: the second identical request is replayed, same frames, no upstream call', async () => {
    const body = { messages: user('cache me: what is a replica? [sim:normal]'), temperature: 0 };
    const first = await ask(body);
    expect(first).toMatchObject({ status: 200, cache: 'miss', upstreamCalls: 1 });
    expect(first.text).toContain('data: [DONE]');
    await stored(1);
    // Key order and the per-request request_id do not make another request.
    const second = await ask({ request_id: 'another-id', temperature: 0, messages: body.messages });
    expect(second).toMatchObject({ status: 200, cache: 'hit', upstreamCalls: 0 });
    expect(second.text).toBe(first.text);

    const metrics = await (await fetch(`${await stack.listenMetrics()}/metrics`)).text();
    expect(metricValue(metrics, 'zai_chat_response_cache_total', { result: 'hit' })).toBe(1);
    expect(metricValue(metrics, 'zai_chat_response_cache_total', { result: 'miss' })).toBe(1);
  });

  it('keys are hashes; values hold the answer, not the request', async () => {
    const secret = 'my-very-secret-question-7f3a';
    await ask({ messages: user(`${secret} [sim:normal]`), temperature: 0 });
    await stored(2);
    const keys = await redis.client().keys('zc:cache:*');
    for (const key of keys) {
      expect(key).toMatch(/^zc:cache:[A-Za-z0-9_-]{43}$/);
      const value = JSON.parse((await redis.client().get(key))!) as { frames: string[] };
      // The frames as sent (the simulator's answer quotes the question; the request is not kept).
      expect(value.frames.at(-1)).toMatch(/^id: \d+\ndata: \[DONE\]\n\n$/);
      expect(JSON.stringify(value)).not.toContain('"role":"user"');
    }
  });

  it('not without temperature 0, unless opted in with X-Response-Cache: allow', async () => {
    const warm = { messages: user('warm question [sim:normal]'), temperature: 0.7 };
    expect(await ask(warm)).toMatchObject({ cache: null, upstreamCalls: 1 });
    expect(await ask(warm)).toMatchObject({ cache: null, upstreamCalls: 1 });
    const optIn = { [HEADERS.cacheOptIn]: 'allow' };
    expect(await ask(warm, optIn)).toMatchObject({ cache: 'miss', upstreamCalls: 1 });
    await expect.poll(async () => (await ask(warm, optIn)).cache, { timeout: 5000 }).toBe('hit');
  });

  it('never for tools or images unless opted in', async () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const withTools = { messages: user('call a tool [sim:normal]'), temperature: 0, tools };
    expect(await ask(withTools)).toMatchObject({ cache: null, upstreamCalls: 1 });
    expect(await ask(withTools)).toMatchObject({ cache: null, upstreamCalls: 1 });
    const image = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is in it [sim:normal]' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      temperature: 0,
    };
    expect(await ask(image)).toMatchObject({ cache: null, upstreamCalls: 1 });
    const optIn = { [HEADERS.cacheOptIn]: 'allow' };
    expect(await ask(withTools, optIn)).toMatchObject({ cache: 'miss' });
    await expect
      .poll(async () => (await ask(withTools, optIn)).cache, { timeout: 5000 })
      .toBe('hit');
  });

  it('only complete answers are stored', async () => {
    const broken = { messages: user('breaks [sim:drop]'), temperature: 0 };
    const first = await ask(broken);
    expect(first.cache).toBe('miss');
    expect(first.text).toContain('event: error');
    const again = await ask(broken);
    expect(again).toMatchObject({ cache: 'miss', upstreamCalls: 1 });
  });

  it('is scoped per identity and per surface (/v1 keeps its own frames)', async () => {
    const body = { messages: user('scoped [sim:normal]'), temperature: 0 };
    await ask(body, { 'X-Forwarded-Email': 'alice@example.com' });
    await expect
      .poll(async () => (await ask(body, { 'X-Forwarded-Email': 'alice@example.com' })).cache)
      .toBe('hit');
    expect(await ask(body, { 'X-Forwarded-Email': 'bob@example.com' })).toMatchObject({
      cache: 'miss',
      upstreamCalls: 1,
    });

    const v1 = await ask(body, {}, { path: '/v1/chat/completions' });
    expect(v1).toMatchObject({ cache: 'miss', upstreamCalls: 1 });
    await expect
      .poll(async () => (await ask(body, {}, { path: '/v1/chat/completions' })).cache)
      .toBe('hit');
    const replay = await ask(body, {}, { path: '/v1/chat/completions' });
    expect(replay.text).not.toMatch(/^id:/m);
    expect(replay.text).toContain('data: [DONE]');
  });
});
