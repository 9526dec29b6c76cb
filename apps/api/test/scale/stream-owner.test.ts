import { ErrorBody } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { runKeysCli } from '../support/api-process';
import { type RedisServer, startRedis } from '../support/redis-server';
import { lastOf, openChat, openResume, waitForRedis } from './helpers';

/**
 * Keys, owners and budgets across replicas: with REDIS_URL the keys CLI writes to Redis and
 * every replica serves the same keys; a stream belongs to the key that started it, on every
 * replica; a revoked key stops working everywhere; token budgets are counted once.
 */
let redis: RedisServer;
let a: Stack;
let b: Stack;
let aUrl: string;
let bUrl: string;
const keys: Record<string, string> = {};

async function createKey(name: string, extra: string[] = []): Promise<string> {
  const out = await runKeysCli(['create', name, ...extra], { REDIS_URL: redis.url });
  expect(out.code, out.stderr).toBe(0);
  return out.stdout.trim().split('\n').at(-1)!;
}

const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });

beforeAll(async () => {
  redis = await startRedis();
  keys.ann = await createKey('ann');
  keys.mal = await createKey('mal');
  keys.tiny = await createKey('tiny', ['--tokens-per-day', '40']);
  const env = (instance: string) => ({
    REDIS_URL: redis.url,
    INSTANCE_ID: instance,
    ACCESS_MODE: 'keys',
    STREAM_HEARTBEAT_MS: '200',
    REDIS_COMMAND_TIMEOUT_MS: '2000',
    TOKEN_BUDGET_PER_DAY: '1000000',
  });
  a = await startStack(env('owner-a'), { chunkDelayMs: 20 });
  b = await startStack(env('owner-b'), { chunkDelayMs: 20 });
  aUrl = await a.listen();
  bUrl = await b.listen();
  await waitForRedis(a, b);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

async function status(url: string, key: string | undefined): Promise<number> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: false }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('keys in Redis', () => {
  it('a key made with the CLI works on every replica; no key is a 401', async () => {
    // Replicas re-read the keys every 300 ms.
    await expect.poll(() => status(aUrl, keys.ann), { timeout: 5000 }).toBe(200);
    await expect.poll(() => status(bUrl, keys.ann), { timeout: 5000 }).toBe(200);
    expect(await status(bUrl, undefined)).toBe(401);
    const stored = await redis.client().hgetall('zc:access-keys');
    expect(Object.keys(stored).sort()).toEqual(['ann', 'mal', 'tiny']);
    expect(JSON.stringify(stored)).not.toContain(keys.ann);
  });

  it('a stream is its key’s: another key gets 404 on resume and stop, the owner resumes anywhere', async () => {
    const chat = await openChat(aUrl, 'mine [sim:normal chunks=40 delay=30]', {
      headers: as('ann'),
    });
    expect(chat.res.status).toBe(200);
    await chat.readUntil(2);
    const foreign = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}`, {
      headers: as('mal'),
    });
    expect(foreign.status).toBe(404);
    expect(ErrorBody.parse(await foreign.json()).error.code).toBe('stream_not_found');
    const foreignStop = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}/stop`, {
      method: 'POST',
      headers: as('mal'),
    });
    expect(foreignStop.status).toBe(404);
    const anonymous = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}`);
    expect(anonymous.status).toBe(401);
    const own = await openResume(bUrl, chat.streamId, undefined, as('ann'));
    expect(own.res.status).toBe(200);
    expect(lastOf(await own.rest())?.data).toBe('[DONE]');
    expect(lastOf(await chat.rest())?.data).toBe('[DONE]');
  });

  it('revoked in Redis: refused by every replica without a restart', async () => {
    expect(await status(aUrl, keys.mal)).toBe(200);
    const revoked = await runKeysCli(['revoke', 'mal'], { REDIS_URL: redis.url });
    expect(revoked.code).toBe(0);
    await expect.poll(() => status(aUrl, keys.mal), { timeout: 5000 }).toBe(401);
    await expect.poll(() => status(bUrl, keys.mal), { timeout: 5000 }).toBe(401);
  });

  it('a token budget is counted once across replicas', async () => {
    // ~25 tokens per answer; the key allows 40 a day. Replicas share counts within a second.
    expect(await status(aUrl, keys.tiny)).toBe(200);
    expect(await status(bUrl, keys.tiny)).toBe(200);
    await expect.poll(() => status(aUrl, keys.tiny), { timeout: 5000 }).toBe(429);
    await expect.poll(() => status(bUrl, keys.tiny), { timeout: 5000 }).toBe(429);
    const stored = await redis.client().keys('zc:budget:*key:tiny');
    expect(stored).toHaveLength(1);
    expect(Number(await redis.client().get(stored[0]!))).toBeGreaterThanOrEqual(40);
  });
});
