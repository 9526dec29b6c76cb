import { describe, expect, it } from 'vitest';
import { ChatApiError, DONE_FRAME, encodeChunkFrame, streamChat } from '../src';

/** streamChat's handling of what a server can send; the API-backed tests live in apps/api. */
function fakeFetch(body: string, init: ResponseInit = {}): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(body, {
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'x-request-id': 'rid' },
        ...init,
      }),
    );
}
const chunk = {
  id: 'c',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content: 'hi' } }],
};
const req = { messages: [{ role: 'user' as const, content: 'hi' }] };

async function drain(fetchImpl: typeof fetch) {
  const out: unknown[] = [];
  try {
    for await (const c of streamChat(req, { fetch: fetchImpl })) out.push(c);
  } catch (err) {
    return { out, err };
  }
  return { out, err: undefined };
}

describe('streamChat', () => {
  it('posts to the contract path with stream: true', async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const spy: typeof fetch = (url, init) => {
      seen = { url: url instanceof Request ? url.url : url.toString(), init: init! };
      return Promise.resolve(
        new Response(DONE_FRAME, { headers: { 'content-type': 'text/event-stream' } }),
      );
    };
    await drain(spy);
    expect(seen?.url).toBe('/api/chat');
    expect(seen?.init.method).toBe('POST');
    // The client sends a JSON string; anything else (a stream, FormData) would be a regression.
    const body = seen?.init.body;
    expect(typeof body).toBe('string');
    const sent: unknown = JSON.parse(body as string);
    expect(sent).toMatchObject({ stream: true });
  });

  it('a stream that ends without [DONE] is an error, after the chunks it had', async () => {
    const { out, err } = await drain(fakeFetch(encodeChunkFrame(chunk)));
    expect(out).toHaveLength(1);
    expect((err as ChatApiError).code).toBe('stream_interrupted');
    expect((err as ChatApiError).body.requestId).toBe('rid');
  });

  it('a frame that breaks the contract is upstream_protocol', async () => {
    const { err } = await drain(fakeFetch('data: {"nope":1}\n\n'));
    expect((err as ChatApiError).code).toBe('upstream_protocol');
  });

  it('an HTTP error without an ErrorBody (a proxy in front of a dead API) is api_unreachable', async () => {
    const { err } = await drain(
      fakeFetch('<html>bad gateway</html>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      }),
    );
    expect(err).toBeInstanceOf(ChatApiError);
    expect((err as ChatApiError).code).toBe('api_unreachable');
    expect((err as ChatApiError).status).toBe(502);
  });

  it('a fetch that fails before any response is api_unreachable, not a Z.AI error', async () => {
    const refused = () => Promise.reject(new TypeError('fetch failed'));
    const { err } = await drain(refused);
    expect((err as ChatApiError).code).toBe('api_unreachable');
  });
});

describe('streamChat and an abort', () => {
  it('hands out no frame already read once the caller aborted (its last event id is what it took)', async () => {
    // Five frames arrive in one read; the caller stops after the second.
    const frames = [1, 2, 3, 4, 5]
      .map((n) => `id: ${n}\n${encodeChunkFrame({ ...chunk, id: `c${n}` })}`)
      .join('');
    const controller = new AbortController();
    const taken: string[] = [];
    let lastEventId = '';
    const err = await (async () => {
      for await (const c of streamChat(req, {
        fetch: fakeFetch(frames + DONE_FRAME),
        signal: controller.signal,
        onEventId: (id) => (lastEventId = id),
      })) {
        taken.push(c.id ?? '');
        if (taken.length === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(taken).toEqual(['c1', 'c2']);
    expect(lastEventId).toBe('2');
  });
});
