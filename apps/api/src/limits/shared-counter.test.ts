import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { RedisLink } from '../redis/link';
import { type RedisServer, startRedis } from '../../test/support/redis-server';
import {
  FallbackCounter,
  MemoryCounter,
  RedisCounter,
  createSharedCounter,
} from './shared-counter';

describe('MemoryCounter', () => {
  it('counts within a window and starts over after it', async () => {
    vi.useFakeTimers();
    try {
      const counter = new MemoryCounter();
      const first = await counter.incr('k', 1000);
      expect(first.count).toBe(1);
      expect((await counter.incr('k', 1000)).count).toBe(2);
      await counter.decr('k');
      expect((await counter.incr('k', 1000)).count).toBe(2);
      vi.advanceTimersByTime(1000);
      const next = await counter.incr('k', 1000);
      expect(next.count).toBe(1);
      expect(next.resetAt).toBeGreaterThan(first.resetAt);
      counter.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('with a real redis-server', () => {
  let redis: RedisServer;
  let one: RedisLink;
  let two: RedisLink;
  const link = (name: string) => {
    const l = new RedisLink({
      url: redis.url,
      commandTimeoutMs: 1000,
      heartbeatMs: 100,
      keyPrefix: 'zc:',
      instanceId: name,
      logger: createLogger('silent'),
    });
    l.start();
    return l;
  };
  beforeAll(async () => {
    redis = await startRedis();
    one = link('one');
    two = link('two');
    await vi.waitUntil(() => one.up && two.up, { timeout: 10_000 });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('two processes count one window together; the window has a TTL', async () => {
    const a = new RedisCounter(one);
    const b = new RedisCounter(two);
    expect((await a.incr('shared', 60_000)).count).toBe(1);
    expect((await b.incr('shared', 60_000)).count).toBe(2);
    const third = await a.incr('shared', 60_000);
    expect(third.count).toBe(3);
    expect(third.resetAt - Date.now()).toBeGreaterThan(50_000);
    expect(await redis.client().pttl('zc:count:shared')).toBeGreaterThan(50_000);
  });

  it('falls back to this process while Redis is down, and never rejects', async () => {
    const counter = createSharedCounter(one);
    expect(counter).toBeInstanceOf(FallbackCounter);
    await counter.incr('outage', 60_000);
    await redis.kill();
    await vi.waitUntil(() => !one.up, { timeout: 10_000 });
    // Counted locally from zero while Redis is still away (nothing waits for it to return).
    const local = await counter.incr('outage', 60_000);
    expect(local.count).toBe(1);
    expect((await counter.incr('outage', 60_000)).count).toBe(2);
    await redis.restart();
    await vi.waitUntil(() => one.up, { timeout: 20_000 });
    expect((await counter.incr('outage', 60_000)).count).toBe(1);
    expect(await redis.client().get('zc:count:outage')).toBe('1');
  });
});
