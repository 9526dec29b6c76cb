import {
  ChatApiError,
  ChatStoppedError,
  ErrorBody,
  HEADERS,
  StopChatResult,
  resumeChat,
  streamChat,
} from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { type RedisServer, startRedis } from '../support/redis-server';
import { contentOf, idsOf, lastOf, oneTo, openChat, openResume, waitForRedis } from './helpers';

/**
 * Resumable streams across replicas: two API apps (in this process, each with its own
 * simulator and its own Redis link) sharing one real redis-server. A answers, B resumes.
 */
let redis: RedisServer;
let a: Stack;
let b: Stack;
let aUrl: string;
let bUrl: string;

const env = (instance: string) => ({
  REDIS_URL: redis.url,
  INSTANCE_ID: instance,
  STREAM_HEARTBEAT_MS: '200',
  RESUME_GRACE_MS: '3000',
  // Slowness of a loaded machine is not what this file tests (see redis-trouble.test.ts).
  REDIS_COMMAND_TIMEOUT_MS: '2000',
});

beforeAll(async () => {
  redis = await startRedis();
  a = await startStack(env('replica-a'), { chunkDelayMs: 20 });
  b = await startStack(env('replica-b'), { chunkDelayMs: 20 });
  aUrl = await a.listen();
  bUrl = await b.listen();
  await waitForRedis(a, b);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

/** The same prompt answered undisturbed (the simulator is deterministic per prompt). */
async function reference(content: string): Promise<string[]> {
  const whole = await openChat(bUrl, content);
  return contentOf(await whole.rest());
}

describe('every streamed answer has an id and numbered frames', () => {
  it('X-Stream-Id (128 random bits), X-Stream-Resumable, id: 1…n, [DONE] last', async () => {
    const chat = await openChat(aUrl, 'numbered [sim:normal]');
    expect(chat.res.status).toBe(200);
    expect(chat.streamId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(chat.res.headers.get(HEADERS.streamResumable)).toBe('true');
    const frames = await chat.rest();
    expect(idsOf(frames)).toEqual(oneTo(frames.length));
    expect(lastOf(frames)?.data).toBe('[DONE]');
    const other = await openChat(aUrl, 'numbered [sim:normal]');
    await other.rest();
    expect(other.streamId).not.toBe(chat.streamId);
  });
});

describe('resume', () => {
  it('on another replica after a dropped connection: each frame once, [DONE] last', async () => {
    const content = 'dropped mid-answer [sim:normal chunks=40 delay=40]';
    const expected = await reference(content);
    const chat = await openChat(aUrl, content);
    const seen = (await chat.readUntil(5)).slice(0, 5);
    chat.drop();
    const resumed = await openResume(bUrl, chat.streamId, 5);
    expect(resumed.res.status).toBe(200);
    expect(resumed.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const rest = await resumed.rest();
    expect(idsOf(rest)).toEqual(oneTo(expected.length).slice(5));
    expect(contentOf([...seen, ...rest])).toEqual(expected);
    expect(lastOf(rest)?.data).toBe('[DONE]');
  });

  it('without Last-Event-ID: from the first frame, while the first reader still reads', async () => {
    const content = 'second tab [sim:normal chunks=30 delay=30]';
    const chat = await openChat(aUrl, content);
    await chat.readUntil(3);
    const [fromB, fromA] = await Promise.all([
      openResume(bUrl, chat.streamId).then((r) => r.rest()),
      openResume(aUrl, chat.streamId).then((r) => r.rest()),
    ]);
    const original = await chat.rest();
    for (const copy of [fromB, fromA]) {
      expect(idsOf(copy)).toEqual(oneTo(original.length));
      expect(copy.map((f) => f.data)).toEqual(original.map((f) => f.data));
    }
  });

  it('an answer left early is stored when it ends: late readers on any replica get all of it', async () => {
    const content = 'left early [sim:normal chunks=12 delay=20]';
    const chat = await openChat(aUrl, content);
    await chat.readUntil(2);
    chat.drop();
    const client = redis.client();
    await expect
      .poll(() => client.exists(`zc:frames:${chat.streamId}`), { timeout: 10_000 })
      .toBe(1);
    const late = await openResume(bUrl, chat.streamId, 0);
    const frames = await late.rest();
    expect(idsOf(frames)).toEqual(oneTo(frames.length));
    expect(contentOf(frames)).toEqual(await reference(content));
    const fromMiddle = await (await openResume(aUrl, chat.streamId, 10)).rest();
    expect(idsOf(fromMiddle)).toEqual(oneTo(frames.length).slice(10));
  });

  it('an unknown id is a typed 404 stream_not_found; a bad Last-Event-ID a 400', async () => {
    const unknown = await fetch(`${bUrl}/api/chat/streams/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(await unknown.json()).error.code).toBe('stream_not_found');

    const chat = await openChat(aUrl, 'mine [sim:normal chunks=30 delay=30]');
    await chat.readUntil(1);
    expect(lastOf(await chat.rest())?.data).toBe('[DONE]');
    // Streams of one owner cannot be read by another: test/scale/stream-owner.test.ts.
    const bad = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}`, {
      headers: { 'Last-Event-ID': 'seven' },
    });
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(await bad.json()).error.code).toBe('bad_request');
  });
});

describe('a disconnect no longer aborts at once', () => {
  it('the answer goes on for RESUME_GRACE_MS without readers, then the upstream is aborted', async () => {
    const chat = await openChat(aUrl, 'grace [sim:slow ms=20000]');
    await chat.readUntil(2);
    expect(a.sim.openRequests()).toBe(1);
    chat.drop();
    // Back within the grace period: still being produced.
    const back = await openResume(bUrl, chat.streamId, 2);
    const more = await back.readUntil(2);
    expect(idsOf(more)[0]).toBe(3);
    expect(a.sim.openRequests()).toBe(1);
    back.drop();
    // Nobody again: after the grace period (3 s) the upstream request is closed.
    await a.sim.waitForOpenRequests(0, 15_000);
    // Whoever comes back later gets the frames so far and a typed end.
    const late = await (await openResume(bUrl, chat.streamId, 0)).rest();
    expect(idsOf(late)).toEqual(oneTo(late.length));
    expect(lastOf(late)?.event).toBe('error');
    expect(ErrorBody.parse(JSON.parse(lastOf(late)!.data)).error.code).toBe('stream_interrupted');
  });

  it('Stop from another replica aborts the upstream at once; readers get `stopped` last', async () => {
    const chat = await openChat(aUrl, 'stop me [sim:slow ms=20000]');
    await chat.readUntil(2);
    const follower = await openResume(bUrl, chat.streamId, 2);
    await follower.readUntil(1);
    const res = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}/stop`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(StopChatResult.parse(await res.json())).toEqual({
      streamId: chat.streamId,
      stopped: true,
    });
    await a.sim.waitForOpenRequests(0, 5000);
    for (const frames of [await chat.rest(), await follower.rest()]) {
      expect(lastOf(frames)?.event).toBe('stopped');
      expect(JSON.parse(lastOf(frames)!.data)).toEqual({ streamId: chat.streamId });
    }
    const again = await fetch(`${bUrl}/api/chat/streams/${chat.streamId}/stop`, {
      method: 'POST',
    });
    expect(StopChatResult.parse(await again.json()).stopped).toBe(false);
  });
});

describe('the typed client', () => {
  it('streamChat reports the stream id and frame ids; resumeChat continues on another replica', async () => {
    const content = 'typed [sim:normal chunks=30 delay=30]';
    const expected = await reference(content);
    let streamId = '';
    let lastEventId = '';
    let resumable = false;
    const controller = new AbortController();
    const first: string[] = [];
    try {
      for await (const chunk of streamChat(
        { messages: [{ role: 'user', content }] },
        {
          baseUrl: aUrl,
          signal: controller.signal,
          onStream: (info) => ({ streamId, resumable } = info),
          onEventId: (id) => (lastEventId = id),
        },
      )) {
        first.push(chunk.choices?.[0]?.delta?.content ?? '');
        if (first.length === 4) controller.abort(); // the tab reloads
      }
    } catch (err) {
      expect((err as Error).name).toBe('AbortError');
    }
    expect(resumable).toBe(true);
    expect(lastEventId).toBe('4');
    const rest: string[] = [];
    for await (const chunk of resumeChat(streamId, lastEventId, { baseUrl: bUrl })) {
      rest.push(chunk.choices?.[0]?.delta?.content ?? '');
    }
    const text = (frames: string[]) =>
      frames
        .filter((f) => f !== '[DONE]')
        .map((f) => JSON.parse(f) as { choices: { delta: { content?: string } }[] })
        .map((c) => c.choices[0]?.delta.content ?? '')
        .join('');
    expect([...first, ...rest].join('')).toBe(text(expected));

    await expect(async () => {
      for await (const _ of resumeChat('AAAAAAAAAAAAAAAAAAAAAA', undefined, { baseUrl: bUrl }));
    }).rejects.toMatchObject({ code: 'stream_not_found' });
  });

  it('a Redis hiccup under a follower (inbox connections killed): the typed reader still gets every chunk once', async () => {
    const content = 'hiccup [sim:normal chunks=40 delay=40]';
    const expected = await reference(content);
    const chat = await openChat(aUrl, content);
    await chat.readUntil(2);
    chat.drop();
    const chunks: unknown[] = [];
    const resumes: string[] = [];
    const recording: typeof fetch = (input, init) => {
      resumes.push(new Headers(init?.headers).get('last-event-id') ?? '');
      return fetch(input, init);
    };
    const reading = (async () => {
      for await (const chunk of resumeChat(chat.streamId, '2', {
        baseUrl: bUrl,
        fetch: recording,
        resume: { baseDelayMs: 50 },
      }))
        chunks.push(chunk.choices);
    })();
    await expect.poll(() => chunks.length).toBeGreaterThan(3);
    // Every pub/sub connection is cut: messages published meanwhile are lost.
    await redis.client().call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await reading;
    const choices = expected
      .filter((f) => f !== '[DONE]')
      .map((f) => (JSON.parse(f) as { choices: unknown }).choices);
    expect(chunks).toEqual(choices.slice(2));
    // It went back for what it missed, from the last frame it had.
    expect(resumes.length).toBeGreaterThan(1);
  });

  it('a stopped answer ends the typed reader with ChatStoppedError', async () => {
    let streamId = '';
    const chunks: unknown[] = [];
    const reading = (async () => {
      for await (const chunk of streamChat(
        { messages: [{ role: 'user', content: 'typed stop [sim:slow ms=20000]' }] },
        { baseUrl: aUrl, onStream: (info) => (streamId = info.streamId) },
      ))
        chunks.push(chunk);
    })().then(
      () => undefined,
      (err: unknown) => err,
    );
    await expect.poll(() => chunks.length).toBeGreaterThan(1);
    const { stopChat } = await import('@zai-chat/contract');
    expect(await stopChat(streamId, { baseUrl: bUrl })).toEqual({ streamId, stopped: true });
    expect(await reading).toBeInstanceOf(ChatStoppedError);
    await expect(stopChat('AAAAAAAAAAAAAAAAAAAAAA', { baseUrl: bUrl })).rejects.toBeInstanceOf(
      ChatApiError,
    );
  });
});

describe('cost of answers nobody resumes', () => {
  it('≤ 0.1 Redis operations per relayed chunk (rate limit included; heartbeat per process)', async () => {
    // MONITOR sees every command a client sends (and, tagged "lua", those a script runs).
    const monitor = await redis.client().monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!source.includes('lua')) seen.push(args);
    });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const chat = await openChat(aUrl, `not resumed ${i} [sim:normal]`);
        return chat.rest();
      }),
    );
    const elapsedS = (Date.now() - started) / 1000;
    monitor.disconnect();
    // Chunks: numbered frames before [DONE].
    const chunks = answers.reduce((n, frames) => n + idsOf(frames).length - 1, 0);
    const beats = seen.filter((c) => c[0] === 'set' && c[1]!.startsWith('zc:node:')).length;
    const perRequest = seen.filter((c) => !(c[0] === 'set' && c[1]!.startsWith('zc:node:')));
    const byCommand: Record<string, number> = {};
    for (const [name, key, , scriptKey] of perRequest) {
      const script = scriptKey?.includes(':budget:') ? 'budget (script)' : 'rate limit (script)';
      const kind = name!.startsWith('eval') ? script : `${name} ${key ?? ''}`;
      const label = kind.replace(/^(\w+ zc:\w+):.*$/, '$1:*');
      byCommand[label] = (byCommand[label] ?? 0) + 1;
    }
    const perChunk = perRequest.length / chunks;
    console.log(
      `redis ops per chunk, answers nobody resumed: ${perChunk.toFixed(4)} (${perRequest.length} ops / ${chunks} chunks)`,
      byCommand,
      `+ heartbeats: ${beats} in ${elapsedS.toFixed(1)} s for 2 processes (one per process per beat, whatever the traffic)`,
    );
    expect(chunks).toBeGreaterThan(400);
    // One registration and one rate-limit count per answer; the token budget costs a read and
    // a batched write per identity per second (here one identity); nothing per chunk.
    const {
      'set zc:stream:*': registrations,
      'rate limit (script)': rateLimits,
      ...rest
    } = byCommand;
    expect({ registrations, rateLimits }).toEqual({ registrations: 20, rateLimits: 20 });
    const budget = Object.entries(rest).filter(([kind]) => /budget|evalsha|exec|multi/i.test(kind));
    expect(Object.keys(rest).length).toBe(budget.length);
    expect(budget.reduce((n, [, count]) => n + count, 0)).toBeLessThanOrEqual(6);
    expect(perChunk).toBeLessThanOrEqual(0.1);
  });
});
