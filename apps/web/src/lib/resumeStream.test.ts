// @vitest-environment node
import { ChatApiError } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { FakeApi, FakeAnswer } from '../test/fakeApi';
import { BackendPool } from './backendPool';
import { resumeWithFallback } from './resumeStream';
import { watchResumes } from './watchResumes';

const pool = (...bases: string[]) => new BackendPool(bases, { check: async () => undefined });

function withAnswer(...texts: string[]) {
  const api = new FakeApi();
  const answer = new FakeAnswer('stream000000000001');
  api.answers.set(answer.id, answer);
  answer.push(...texts);
  answer.done();
  return { api, answer };
}

async function read(p: BackendPool, api: FakeApi, base: string, lastEventId?: string) {
  const texts: string[] = [];
  const streams: string[] = [];
  const ref = { streamId: 'stream000000000001', base, resumable: true, lastEventId };
  try {
    for await (const chunk of resumeWithFallback(p, ref, {
      signal: new AbortController().signal,
      fetch: api.fetch,
      onStream: (info) => streams.push(info.base),
    }))
      texts.push(chunk.choices?.[0]?.delta?.content ?? '');
  } catch (err) {
    return { texts, streams, error: err instanceof ChatApiError ? err.code : String(err) };
  }
  return { texts, streams, error: undefined };
}

test('the backend the answer came from is asked first, from the frame after the saved one', async () => {
  const { api } = withAnswer('a', 'b', 'c');
  const p = pool('http://one', 'http://two');
  const result = await read(p, api, 'http://two', '1');
  expect(result).toEqual({ texts: ['b', 'c'], streams: ['http://two'], error: undefined });
  expect(api.calls).toEqual([
    {
      method: 'GET',
      url: 'http://two/api/chat/streams/stream000000000001',
      lastEventId: '1',
    },
  ]);
});

test('unreachable, it is marked down and the others are tried in the pool’s order', async () => {
  const { api } = withAnswer('a', 'b');
  api.down.add('http://two');
  const p = pool('http://one', 'http://two', 'http://three');
  const result = await read(p, api, 'http://two');
  expect(result).toEqual({ texts: ['a', 'b'], streams: ['http://one'], error: undefined });
  expect(api.calls.map((c) => new URL(c.url).origin)).toEqual(['http://two', 'http://one']);
  expect(p.order().at(-1)).toBe('http://two');
});

test('its own "not found" ends it at once; no other backend is asked', async () => {
  const api = new FakeApi();
  const result = await read(pool('http://one', 'http://two'), api, 'http://one');
  expect(result.error).toBe('stream_not_found');
  expect(api.calls).toHaveLength(1);
});

test('its own "lost" ends it too', async () => {
  const { api, answer } = withAnswer('a');
  api.lost.add(answer.id);
  const result = await read(pool('http://one', 'http://two'), api, 'http://one');
  expect(result.error).toBe('stream_lost');
  expect(api.calls).toHaveLength(1);
});

test('while its own cannot be reached, another deployment’s "not found" does not end it', async () => {
  const { api } = withAnswer('a');
  api.down.add('http://one');
  api.foreign.add('http://two');
  const result = await read(pool('http://one', 'http://two'), api, 'http://one');
  // Unreachable: the caller may try again later (or once the browser is online).
  expect(result.error).toBe('api_unreachable');
  expect(api.calls).toHaveLength(2);
});

test('watchResumes reports a resume request and its answer, and nothing else', async () => {
  const { api } = withAnswer('a');
  const seen: boolean[] = [];
  const fetch = watchResumes(api.fetch, (on) => seen.push(on));
  await fetch('/api/chat/streams/stream000000000001', { method: 'GET' });
  expect(seen).toEqual([true, false]);
  await fetch('/api/chat/streams/stream000000000001/stop', { method: 'POST' });
  await fetch('/api/chat', { method: 'POST', body: '{}' });
  expect(seen).toEqual([true, false]);
  // A resume that fails leaves it reconnecting.
  await fetch('/api/chat/streams/unknown-stream-0000', { method: 'GET' });
  expect(seen).toEqual([true, false, true]);
});
