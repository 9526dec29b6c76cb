import {
  ChatApiError,
  type ChatChunk,
  ErrorBody,
  HEADERS,
  type StreamChatOptions,
  resumeChat,
  streamChat,
} from '@zai-chat/contract';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { type Nginx, startNginx } from '../support/nginx';
import { type RedisServer, startRedis } from '../support/redis-server';
import { freePort } from '../support/tools';
import { waitFor } from './helpers';

/**
 * Three real API processes sharing one redis-server, behind Debian's nginx running the staging
 * template (its `api` upstream standing for the three replicas). The clients are the
 * contract's typed client (`streamChat`, which follows `reconnect` and resumes a lost
 * connection through nginx), as the web app will be.
 *
 * TRUST_PROXY=2 (a CDN hop in front of nginx): each simulated user sends its own
 * X-Forwarded-For, so the per-client rate limit of 60 is exercised per user.
 */
let redis: RedisServer;
let sim: Simulator;
let nginx: Nginx;
const ports: number[] = [];
const replicas: ApiProcess[] = [];
const NAMES = ['r1', 'r2', 'r3'];

async function startReplica(index: number): Promise<ApiProcess> {
  const api = await startApiProcess({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(ports[index]),
    LOG_LEVEL: 'info',
    INSTANCE_ID: NAMES[index],
    SIMULATOR_URL: sim.url,
    SIMULATOR_API_KEY: sim.apiKey,
    REDIS_URL: redis.url,
    TRUST_PROXY: '2',
    RATE_LIMIT_MAX: '60',
    STREAM_HEARTBEAT_MS: '500',
    SHUTDOWN_DRAIN_MS: '30000',
    // Five processes and 100 streams on 2 shared cores can stall an event loop past the
    // default 500 ms; Redis trouble has its own test (redis-trouble.test.ts).
    REDIS_COMMAND_TIMEOUT_MS: '2000',
  });
  // Serving with Redis up (not `degraded`): shared state in use.
  await waitFor(
    async () =>
      (await fetch(`${api.baseUrl}/health`)
        .then((r) => r.json())
        .then((h: { status?: string }) => h.status)
        .catch(() => undefined)) === 'ok',
    `${NAMES[index]} healthy`,
    30_000,
  );
  return api;
}

beforeAll(async () => {
  redis = await startRedis();
  sim = await startSimulator();
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  replicas.push(...(await Promise.all([0, 1, 2].map(startReplica))));
  nginx = await startNginx(ports);
}, 90_000);

afterAll(async () => {
  for (const api of replicas) {
    if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGKILL');
  }
  await nginx?.stop();
  await sim?.close();
  await redis?.stop();
});

const PROMPTS = Array.from(
  { length: 100 },
  (_, i) => `deploy ${i}: tell me about replicas [sim:normal chunks=40 delay=50]`,
);
const userIp = (i: number) => `198.51.100.${i}`;

/** A chunk without what differs per upstream request (its id, creation time, request id). */
function content(chunk: ChatChunk): string {
  const {
    id: _id,
    created: _created,
    request_id: _rid,
    ...rest
  } = chunk as ChatChunk & {
    request_id?: string;
  };
  return JSON.stringify(rest);
}

interface Run {
  chunks: string[];
  streamId: string;
  /** The replica that answered the POST (it produces the answer). */
  instance: string;
  resumes: number;
  done: Promise<{ error?: unknown; at: number }>;
}

/** One user's chat through nginx with the typed client, recorded chunk by chunk. */
function chatThroughNginx(i: number): Run {
  const run: Run = { chunks: [], streamId: '', instance: '', resumes: 0, done: undefined! };
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (init?.method === 'POST') run.instance = res.headers.get('x-instance-id') ?? '';
    else run.resumes += 1;
    return res;
  };
  const options: StreamChatOptions = {
    baseUrl: nginx.url,
    headers: { 'X-Forwarded-For': userIp(i) },
    fetch: recording,
    onStream: ({ streamId }) => (run.streamId = streamId),
  };
  run.done = (async () => {
    try {
      for await (const chunk of streamChat(
        { messages: [{ role: 'user', content: PROMPTS[i]! }] },
        options,
      )) {
        run.chunks.push(content(chunk));
      }
      return { at: Date.now() };
    } catch (error) {
      return { error, at: Date.now() };
    }
  })();
  return run;
}

/** A reader of someone's answer connected straight to one replica (typed resumeChat). */
function follow(streamId: string, baseUrl: string): Run {
  const run: Run = { chunks: [], streamId, instance: '', resumes: 0, done: undefined! };
  run.done = (async () => {
    try {
      for await (const chunk of resumeChat(streamId, undefined, { baseUrl, resume: false })) {
        run.chunks.push(content(chunk));
      }
      return { at: Date.now() };
    } catch (error) {
      return { error, at: Date.now() };
    }
  })();
  return run;
}

let baseline: string[][] = [];

describe('shared limits', () => {
  it('60 requests spread over 3 replicas: the 61st gets 429 with Retry-After on any replica', async () => {
    const ip = '203.0.113.50';
    const ask = (replica: ApiProcess) =>
      fetch(`${replica.baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'count me' }], stream: false }),
      });
    for (let i = 0; i < 60; i++) {
      const res = await ask(replicas[i % 3]!);
      await res.arrayBuffer();
      expect(res.status, `request ${i + 1}`).toBe(200);
    }
    for (const replica of replicas) {
      const res = await ask(replica);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(ErrorBody.parse(await res.json()).error.code).toBe('rate_limited');
    }
    // Another client is not affected.
    const other = await fetch(`${replicas[0]!.baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.51' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: false }),
    });
    expect(other.status).toBe(200);
  });
});

describe('zero-downtime deploys', () => {
  it('an undisturbed run of 100 streams through nginx (the reference)', async () => {
    const runs = PROMPTS.map((_, i) => chatThroughNginx(i));
    const ends = await Promise.all(runs.map((r) => r.done));
    expect(ends.filter((e) => e.error)).toEqual([]);
    baseline = runs.map((r) => r.chunks);
    expect(new Set(runs.map((r) => r.instance))).toEqual(new Set(NAMES));
    expect(Math.min(...baseline.map((chunks) => chunks.length))).toBeGreaterThanOrEqual(30);
  });

  it(
    'SIGTERM on a replica mid-stream: 100 complete answers, identical to the reference',
    { timeout: 90_000 },
    async () => {
      expect(baseline).toHaveLength(100);
      const runs = PROMPTS.map((_, i) => chatThroughNginx(i));
      await waitFor(() => runs.every((r) => r.chunks.length >= 3), 'every stream flowing', 60_000);
      const victim = replicas[1]!;
      victim.child.kill('SIGTERM');
      const ends = await Promise.all(runs.map((r) => r.done));

      expect(ends.map((e) => e.error)).toEqual(Array(100).fill(undefined));
      runs.forEach((run, i) => expect(run.chunks, PROMPTS[i]).toEqual(baseline[i]));
      const moved = runs.filter((r) => r.instance === 'r2');
      expect(moved.length).toBeGreaterThan(15);
      // Each of them still streaming when the replica began draining was told to reconnect and
      // continued on another replica (on a busy machine a few finish before the signal lands).
      const drainingAt = victim.logs.find((l) => l.msg === 'draining')?.time as number;
      expect(drainingAt).toBeGreaterThan(0);
      const streamingThen = moved.filter((r) => ends[runs.indexOf(r)]!.at > drainingAt);
      expect(streamingThen.length).toBeGreaterThan(10);
      for (const run of streamingThen) expect(run.resumes).toBeGreaterThanOrEqual(1);
      expect(runs.filter((r) => r.instance !== 'r2').every((r) => r.resumes === 0)).toBe(true);
      // The draining replica produced every one of its answers to the end, then exited 0.
      expect(await victim.exited).toEqual({ code: 0, signal: null });
      const drained = victim.logs.find((l) => l.msg === 'drained') as {
        finished: number;
        terminated: number;
      };
      expect(drained.terminated).toBe(0);
      expect(drained.finished).toBeGreaterThanOrEqual(streamingThen.length);
      expect(drained.finished).toBeLessThanOrEqual(moved.length);
      replicas[1] = await startReplica(1);
    },
  );

  it(
    'kill -9 of a producing replica: its readers everywhere get stream_lost, others are untouched',
    { timeout: 90_000 },
    async () => {
      const runs = PROMPTS.slice(0, 30).map((_, i) => chatThroughNginx(i));
      await waitFor(
        () => runs.every((r) => r.chunks.length >= 3 && r.instance),
        'every stream flowing',
        60_000,
      );
      const victimName = 'r1';
      const lost = runs.filter((r) => r.instance === victimName);
      expect(lost.length).toBeGreaterThan(3);
      // Readers of the victim's answers connected straight to a surviving replica.
      const followers = lost.slice(0, 3).map((r) => follow(r.streamId, replicas[2]!.baseUrl));
      await waitFor(() => followers.every((f) => f.chunks.length >= 3), 'followers flowing');

      const killedAt = Date.now();
      replicas[0]!.child.kill('SIGKILL');
      const ends = await Promise.all(runs.map((r) => r.done));
      const followerEnds = await Promise.all(followers.map((f) => f.done));

      runs.forEach((run, i) => {
        const reference = baseline[i]!;
        if (run.instance === victimName) {
          expect((ends[i]!.error as ChatApiError).code, PROMPTS[i]).toBe('stream_lost');
          // Every chunk received before is kept, in order, each once.
          expect(run.chunks).toEqual(reference.slice(0, run.chunks.length));
        } else {
          expect(ends[i]!.error, PROMPTS[i]).toBeUndefined();
          expect(run.chunks).toEqual(reference);
        }
      });
      followers.forEach((f, k) => {
        expect(followerEnds[k]!.error).toBeInstanceOf(ChatApiError);
        expect((followerEnds[k]!.error as ChatApiError).code).toBe('stream_lost');
        const reference = baseline[PROMPTS.indexOf(PROMPTS[runs.indexOf(lost[k]!)]!)]!;
        expect(f.chunks).toEqual(reference.slice(0, f.chunks.length));
      });
      const slowest = Math.max(
        ...[...ends.filter((e) => e.error), ...followerEnds].map((e) => e.at - killedAt),
      );
      console.log(`kill -9: every reader of the lost answers knew within ${slowest} ms`);
      // "Within a few seconds": liveness TTL 1.5 s plus a beat; generous for a loaded machine.
      expect(slowest).toBeLessThan(15_000);
      // A resume of a lost answer through nginx is the same typed error.
      const again = await fetch(`${nginx.url}/api/chat/streams/${lost[0]!.streamId}`);
      expect(again.status).toBe(502);
      expect(ErrorBody.parse(await again.json()).error.code).toBe('stream_lost');
      expect(again.headers.get(HEADERS.streamId)).toBeNull();
    },
  );
});
