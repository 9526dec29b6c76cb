import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { type RedisServer, startRedis } from '../../test/support/redis-server';
import { RedisLink, RedisUnavailable } from './link';

/** The link's contract with its callers: a cheap `up`, fast failure, one log line per change. */
let redis: RedisServer;
let link: RedisLink;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  link = new RedisLink({
    url: `${redis.url}/0`,
    commandTimeoutMs: 1000,
    heartbeatMs: 100,
    keyPrefix: 'zc:',
    instanceId: 'unit',
    logger: createLogger('info', sink),
  });
  link.start();
  await vi.waitUntil(() => link.up, { timeout: 10_000 });
});
afterAll(async () => {
  await link?.close();
  await redis?.stop();
});

describe('RedisLink', () => {
  it('beats: its liveness key exists with a TTL of three beats', async () => {
    expect(await redis.client().get(link.nodeKey(link.nodeId))).toBe('unit');
    expect(await redis.client().pttl(link.nodeKey(link.nodeId))).toBeLessThanOrEqual(300);
    expect(await link.alive([link.nodeId, 'nobody.0000'])).toEqual([true, false]);
  });

  it('delivers messages to a node inbox, and says when nobody listens', async () => {
    const got: string[] = [];
    const off = link.onMessage((m) => got.push(m));
    expect(await link.send(link.nodeId, 'hello')).toBe(true);
    await vi.waitUntil(() => got.length === 1);
    expect(got).toEqual(['hello']);
    expect(await link.send('nobody.0000', 'lost')).toBe(false);
    off();
  });

  it('down: commands fail at once (no queue), one log line each way, back by itself', async () => {
    await redis.kill();
    await vi.waitUntil(() => !link.up, { timeout: 10_000 });
    expect(link.reason).toBeTruthy();
    // Settles while Redis is still away: a queued command would wait for the restart below.
    await expect(link.run((c) => c.get('x'))).rejects.toBeInstanceOf(RedisUnavailable);
    await expect(link.client.get('x')).rejects.toThrow();
    await redis.restart();
    await vi.waitUntil(() => link.up, { timeout: 20_000 });
    expect(await link.run((c) => c.set('x', '1'))).toBe('OK');
    // Messages flow again (the inbox was resubscribed).
    const got: string[] = [];
    const off = link.onMessage((m) => got.push(m));
    await vi.waitUntil(async () => (await link.send(link.nodeId, 'again')) && got.length > 0, {
      timeout: 5000,
    });
    off();
    const changes = lines.filter((l) => l.redis).map((l) => l.redis);
    expect(changes).toEqual(['up', 'down', 'up']);
    // The URL (which may hold a password) is never logged.
    expect(JSON.stringify(lines)).not.toContain(redis.url);
  });
});
