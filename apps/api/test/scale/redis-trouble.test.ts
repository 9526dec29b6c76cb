import { Writable } from 'node:stream';
import { ErrorBody, HEADERS, Health } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { type LatencyProxy, startLatencyProxy } from '../support/latency-proxy';
import { type RedisServer, startRedis } from '../support/redis-server';
import { lastOf, openChat, openResume, waitFor, waitForRedis } from './helpers';

/**
 * Redis trouble is not an outage: slow (500 ms each way through a TCP proxy) or gone, chats
 * keep streaming from the process with local limits and no resume, /health says `degraded`
 * with the reason, one log line per transition, never a 5xx; when Redis is back, the same
 * process uses it again.
 */
let redis: RedisServer;
let proxy: LatencyProxy;
let stack: Stack;
let baseUrl: string;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startLatencyProxy(redis.port);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  stack = await startStack(
    {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      // Well under the proxy's 1 s round trip, well over a loaded machine's hiccups.
      REDIS_COMMAND_TIMEOUT_MS: '300',
      STREAM_HEARTBEAT_MS: '150',
      INSTANCE_ID: 'troubled',
      TRUST_PROXY: '1',
      RATE_LIMIT_MAX: '40',
    },
    { chunkDelayMs: 5 },
    sink,
  );
  baseUrl = await stack.listen();
  await waitForRedis(stack);
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await redis?.stop();
});

const transitions = () =>
  logs.filter((l) => l.redis === 'up' || l.redis === 'down').map((l) => l.redis);

/** One log line per transition: they alternate, never two of a kind in a row. */
function expectOneLinePerTransition(): void {
  const seen = transitions();
  seen.forEach((t, i) => {
    if (i > 0) expect(t, `transition ${i} of ${seen.join(',')}`).not.toBe(seen[i - 1]);
  });
}

async function health(): Promise<Health> {
  return Health.parse(await (await fetch(`${baseUrl}/health`)).json());
}

/** A chat from client `ip` (through one trusted proxy hop), read to its end. */
async function chat(ip: string, content = 'hello [sim:normal]') {
  const opened = await openChat(baseUrl, content, { headers: { 'X-Forwarded-For': ip } });
  const frames = opened.res.ok ? await opened.rest() : [];
  return { status: opened.res.status, res: opened.res, frames };
}

describe('Redis slow', () => {
  it('answers on, from the process; degraded while slow; shared again once fast', async () => {
    await waitFor(async () => (await health()).status === 'ok', 'healthy');
    const before = await chat('198.51.100.1');
    expect(before.res.headers.get(HEADERS.streamResumable)).toBe('true');
    expect(transitions()[0]).toBe('up');
    const mark = transitions().length;

    proxy.latencyMs = 500;
    // Requests in flight when it turns slow pay at most one command timeout, never a 5xx.
    const during = await Promise.all(
      Array.from({ length: 8 }, (_, i) => chat('198.51.100.1', `slow ${i} [sim:normal]`)),
    );
    for (const answer of during) {
      expect(answer.status).toBe(200);
      expect(lastOf(answer.frames)?.data).toBe('[DONE]');
    }
    await waitFor(async () => (await health()).status === 'degraded', 'degraded health');
    const degraded = await health();
    expect(degraded.reasons).toEqual([expect.stringMatching(/^redis: slow/)]);
    // While degraded nothing waits on Redis: not resumable, answered at once.
    const local = await chat('198.51.100.1');
    expect(local.status).toBe(200);
    expect(local.res.headers.get(HEADERS.streamResumable)).toBe('false');

    proxy.latencyMs = 0;
    await waitFor(async () => (await health()).status === 'ok', 'healthy again');
    const after = await chat('198.51.100.1');
    expect(after.res.headers.get(HEADERS.streamResumable)).toBe('true');
    expect(transitions().slice(mark)).toContain('down');
    expect(transitions().at(-1)).toBe('up');
    expectOneLinePerTransition();
  });
});

describe('Redis down mid-run', () => {
  it('streams go on, limits are local, resume is refused with a 4xx; back without a restart', async () => {
    const streaming = await openChat(baseUrl, 'outlives redis [sim:normal chunks=40 delay=40]', {
      headers: { 'X-Forwarded-For': '198.51.100.2' },
    });
    expect(streaming.res.headers.get(HEADERS.streamResumable)).toBe('true');
    await streaming.readUntil(3);
    const mark = transitions().length;
    await redis.kill();
    await waitFor(async () => (await health()).status === 'degraded', 'degraded health');
    expect((await health()).reasons?.[0]).toMatch(/^redis: /);
    // The stream in flight finishes from the process.
    expect(lastOf(await streaming.rest())?.data).toBe('[DONE]');

    // Limits are this process's own now: 40 pass, the 41st is refused, none is a 5xx.
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) {
      const res = await fetch(`${baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }], stream: false }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 40)).toEqual(Array(40).fill(200));
    expect(statuses[40]).toBe(429);

    const resumed = await openResume(baseUrl, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(resumed.res.status).toBe(404);
    expect(ErrorBody.parse(await resumed.res.json()).error.code).toBe('stream_not_found');
    const downAnswer = await chat('198.51.100.3');
    expect(downAnswer.status).toBe(200);
    expect(downAnswer.res.headers.get(HEADERS.streamResumable)).toBe('false');

    await redis.restart();
    await waitFor(async () => (await health()).status === 'ok', 'healthy again', 20_000);
    const back = await chat('198.51.100.3');
    expect(back.res.headers.get(HEADERS.streamResumable)).toBe('true');
    // Counted in Redis again.
    expect(await redis.client().exists('zc:count:rl:ip:198.51.100.3')).toBe(1);
    expect(transitions().slice(mark)).toContain('down');
    expect(transitions().at(-1)).toBe('up');
    expectOneLinePerTransition();
    const status = (l: Record<string, unknown>) => (l.res as { statusCode?: number })?.statusCode;
    expect(logs.filter((l) => (status(l) ?? 0) >= 500)).toEqual([]);
  });
});
