// @vitest-environment node
import { ChatApiError, ERRORS } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { BackendPool } from './backendPool';
import { streamWithFallback } from './fallbackStream';

const sse = (...texts: string[]) =>
  texts
    .map((t) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`)
    .join('') + 'data: [DONE]\n\n';

type Behaviour = 'ok' | 'down' | 'proxy-502' | 'typed-503' | '400' | 'drop-after-first';

/** Fake backends by base: what each does with a chat, and every request it received. */
function backends(behaviour: Record<string, Behaviour>) {
  const received: string[] = [];
  const fetch = async (input: RequestInfo | URL): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const base = url.slice(0, url.indexOf('/api/chat'));
    received.push(base);
    const headers = { 'content-type': 'text/event-stream', 'x-instance-id': `inst-${base}` };
    switch (behaviour[base]) {
      case 'down':
        throw new TypeError('fetch failed');
      case 'proxy-502':
        return new Response('<html>Bad gateway</html>', { status: 502 });
      case 'typed-503':
        return Response.json(
          { error: { code: 'insufficient_balance', message: 'x', requestId: 'r1' } },
          { status: 503 },
        );
      case '400':
        return Response.json(
          { error: { code: 'bad_request', message: 'bad', requestId: 'r2' } },
          { status: 400 },
        );
      case 'drop-after-first': {
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode(sse('partial').replace('data: [DONE]\n\n', '')));
            c.error(new Error('socket hang up'));
          },
        });
        return new Response(body, { headers });
      }
      default:
        return new Response(sse(`from ${base}`, '!'), { headers });
    }
  };
  return { fetch, received };
}

const pool = (...bases: string[]) => new BackendPool(bases, { check: async () => undefined });

async function collect(p: BackendPool, fetch: typeof globalThis.fetch) {
  const answered: { base: string; instance?: string }[] = [];
  const texts: string[] = [];
  const stream = streamWithFallback(
    p,
    { messages: [{ role: 'user', content: 'hi' }] },
    { signal: new AbortController().signal, fetch, onBackend: (a) => answered.push(a) },
  );
  for await (const chunk of stream) texts.push(chunk.choices?.[0]?.delta?.content ?? '');
  return { text: texts.join(''), answered };
}

test('a backend that cannot be reached is skipped: the next answers, once, and says so', async () => {
  const b = backends({ 'http://a': 'down', 'http://b': 'ok' });
  const p = pool('http://a', 'http://b');
  const { text, answered } = await collect(p, b.fetch);
  expect(text).toBe('from http://b!');
  expect(answered).toEqual([{ base: 'http://b', instance: 'inst-http://b' }]);
  expect(b.received).toEqual(['http://a', 'http://b']);
  // Marked down at once: the next message goes straight to the second.
  expect(p.order()).toEqual(['http://b', 'http://a']);
  await collect(p, b.fetch);
  expect(b.received).toEqual(['http://a', 'http://b', 'http://b']);
});

test('a 5xx before the first chunk fails over; a proxy’s bare 5xx also marks the base down', async () => {
  const proxy = backends({ '': 'proxy-502', 'http://b': 'ok' });
  const p1 = pool('', 'http://b');
  expect((await collect(p1, proxy.fetch)).text).toBe('from http://b!');
  expect(p1.order()[0]).toBe('http://b');

  const typed = backends({ '': 'typed-503', 'http://b': 'ok' });
  const p2 = pool('', 'http://b');
  expect((await collect(p2, typed.fetch)).text).toBe('from http://b!');
  // That API is alive (its upstream refused): it stays first for the next message.
  expect(p2.order()[0]).toBe('');
});

test('a 4xx is the answer, not a reason to ask another backend', async () => {
  const b = backends({ 'http://a': '400', 'http://b': 'ok' });
  await expect(collect(pool('http://a', 'http://b'), b.fetch)).rejects.toMatchObject({
    code: 'bad_request',
  });
  expect(b.received).toEqual(['http://a']);
});

test('after the first chunk the answer stays with its backend: a drop is its error', async () => {
  const b = backends({ 'http://a': 'drop-after-first', 'http://b': 'ok' });
  await expect(collect(pool('http://a', 'http://b'), b.fetch)).rejects.toMatchObject({
    code: 'stream_interrupted',
  });
  expect(b.received).toEqual(['http://a']);
});

test('every backend failing gives the most telling error', async () => {
  const allDown = backends({ 'http://a': 'down', 'http://b': 'down' });
  const err = await collect(pool('http://a', 'http://b'), allDown.fetch).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ChatApiError);
  expect(err).toMatchObject({
    code: 'api_unreachable',
    message: ERRORS.api_unreachable.message,
  });

  const mixed = backends({ 'http://a': 'typed-503', 'http://b': 'down' });
  await expect(collect(pool('http://a', 'http://b'), mixed.fetch)).rejects.toMatchObject({
    code: 'insufficient_balance',
  });
});

test('an abort is not a failover: nothing else is asked', async () => {
  const b = backends({ 'http://a': 'down', 'http://b': 'ok' });
  const controller = new AbortController();
  controller.abort();
  const stream = streamWithFallback(
    pool('http://a', 'http://b'),
    { messages: [{ role: 'user', content: 'hi' }] },
    {
      signal: controller.signal,
      fetch: async (input, init) => {
        if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
        return b.fetch(input);
      },
    },
  );
  await expect(stream.next()).rejects.toMatchObject({ name: 'AbortError' });
  expect(b.received).toEqual([]);
});
