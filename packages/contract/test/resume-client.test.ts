import { describe, expect, it } from 'vitest';
import {
  type ChatApiError,
  type ChatChunk,
  ChatStoppedError,
  HEADERS,
  encodeReconnectFrame,
  encodeStoppedFrame,
  parseChatFrame,
  readSseFrames,
  resumeChat,
  stopChat,
  streamChat,
} from '../src';

/** The typed client's resume logic against scripted servers; the API-backed tests live in apps/api. */
const chunk = (text: string) =>
  JSON.stringify({
    id: 'c',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content: text } }],
  });
const numbered = (id: number, data: string) => `id: ${id}\ndata: ${data}\n\n`;
const sse = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, { headers: { 'content-type': 'text/event-stream', ...headers } });
const req = { messages: [{ role: 'user' as const, content: 'hi' }] };
const STREAM = 'AAAAAAAAAAAAAAAAAAAAAA';

interface Call {
  url: string;
  method: string;
  lastEventId: string | null;
}

/** A fetch that answers each call with the next scripted response, recording the calls. */
function scripted(...answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = (url, init) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: url instanceof Request ? url.url : url.toString(),
      method: init?.method ?? 'GET',
      lastEventId: headers.get('last-event-id'),
    });
    const next = answers.shift();
    // Rejections, not throws: a real fetch fails asynchronously.
    if (!next) return Promise.reject(new Error('unexpected call'));
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next);
  };
  return { fetchImpl, calls };
}

async function collect(gen: AsyncGenerator<ChatChunk, void, undefined>) {
  const texts: string[] = [];
  try {
    for await (const c of gen) texts.push(c.choices?.[0]?.delta?.content ?? '');
  } catch (err) {
    return { texts, err };
  }
  return { texts, err: undefined };
}

const resumable = { [HEADERS.streamId]: STREAM, [HEADERS.streamResumable]: 'true' };

describe('SSE framing of resumable streams', () => {
  it('frames carry their id; a retry field rides on the frame after it', async () => {
    const text =
      numbered(1, chunk('a')) + encodeReconnectFrame({ streamId: STREAM, lastEventId: '1' }, 300);
    const frames = [];
    for await (const f of readSseFrames(new Response(text).body!)) frames.push(f);
    expect(frames[0]).toMatchObject({ id: '1', event: undefined });
    expect(frames[1]).toMatchObject({ event: 'reconnect', retry: 300 });
    expect(parseChatFrame(frames[1]!)).toEqual({
      type: 'reconnect',
      body: { streamId: STREAM, lastEventId: '1' },
      retryMs: 300,
    });
    expect(
      parseChatFrame({ event: 'stopped', data: JSON.stringify({ streamId: STREAM }), id: '9' }),
    ).toEqual({
      type: 'stopped',
      body: { streamId: STREAM },
      id: '9',
    });
  });
});

describe('streamChat with a resumable answer', () => {
  it('reports the stream id and every frame id', async () => {
    const { fetchImpl } = scripted(
      sse(numbered(1, chunk('a')) + numbered(2, chunk('b')) + numbered(3, '[DONE]'), resumable),
    );
    const ids: string[] = [];
    let info: unknown;
    const { texts, err } = await collect(
      streamChat(req, {
        fetch: fetchImpl,
        onStream: (i) => (info = i),
        onEventId: (id) => ids.push(id),
      }),
    );
    expect(err).toBeUndefined();
    expect(texts).toEqual(['a', 'b']);
    expect(info).toEqual({ streamId: STREAM, resumable: true });
    expect(ids).toEqual(['1', '2']);
  });

  it('follows a reconnect event: resumes from the last id, each chunk once', async () => {
    const { fetchImpl, calls } = scripted(
      sse(
        numbered(1, chunk('a')) +
          numbered(2, chunk('b')) +
          encodeReconnectFrame({ streamId: STREAM, lastEventId: '2' }, 1),
        resumable,
      ),
      sse(numbered(3, chunk('c')) + numbered(4, '[DONE]')),
    );
    const { texts, err } = await collect(streamChat(req, { fetch: fetchImpl }));
    expect(err).toBeUndefined();
    expect(texts).toEqual(['a', 'b', 'c']);
    expect(calls[1]).toEqual({
      url: `/api/chat/streams/${STREAM}`,
      method: 'GET',
      lastEventId: '2',
    });
  });

  it('a lost connection is resumed too, retrying while the API is unreachable', async () => {
    const { fetchImpl, calls } = scripted(
      sse(numbered(1, chunk('a')), resumable),
      new TypeError('fetch failed'),
      sse(numbered(2, chunk('b')) + numbered(3, '[DONE]')),
    );
    const { texts, err } = await collect(
      streamChat(req, { fetch: fetchImpl, resume: { baseDelayMs: 1 } }),
    );
    expect(err).toBeUndefined();
    expect(texts).toEqual(['a', 'b']);
    expect(calls.map((c) => c.lastEventId)).toEqual([null, '1', '1']);
  });

  it('a stream that cannot be resumed ends as before: stream_interrupted', async () => {
    const { fetchImpl, calls } = scripted(
      sse(numbered(1, chunk('a')), {
        [HEADERS.streamId]: STREAM,
        [HEADERS.streamResumable]: 'false',
      }),
    );
    const { err } = await collect(streamChat(req, { fetch: fetchImpl }));
    expect((err as ChatApiError).code).toBe('stream_interrupted');
    expect(calls).toHaveLength(1);
  });

  it('gives up with the typed error the resume got (stream_lost), keeping what arrived', async () => {
    const lost = new Response(
      JSON.stringify({ error: { code: 'stream_lost', message: 'gone', requestId: 'r' } }),
      { status: 502, headers: { 'content-type': 'application/json' } },
    );
    const { fetchImpl } = scripted(sse(numbered(1, chunk('a')), resumable), lost);
    const { texts, err } = await collect(
      streamChat(req, { fetch: fetchImpl, resume: { baseDelayMs: 1 } }),
    );
    expect(texts).toEqual(['a']);
    expect((err as ChatApiError).code).toBe('stream_lost');
  });

  it('bounded: a stream that keeps dropping without progress ends', async () => {
    const drops = Array.from({ length: 4 }, () => sse(''));
    const { fetchImpl, calls } = scripted(sse(numbered(1, chunk('a')), resumable), ...drops);
    const { err } = await collect(
      streamChat(req, { fetch: fetchImpl, resume: { maxAttempts: 3, baseDelayMs: 1 } }),
    );
    expect((err as ChatApiError).code).toBe('stream_interrupted');
    expect(calls).toHaveLength(4);
  });

  it('a stopped answer throws ChatStoppedError after its chunks', async () => {
    const { fetchImpl } = scripted(
      sse(
        numbered(1, chunk('a')) + `id: 2\n${encodeStoppedFrame({ streamId: STREAM })}`,
        resumable,
      ),
    );
    const { texts, err } = await collect(streamChat(req, { fetch: fetchImpl }));
    expect(texts).toEqual(['a']);
    expect(err).toBeInstanceOf(ChatStoppedError);
  });
});

describe('resumeChat and stopChat', () => {
  it('resumeChat sends Last-Event-ID and maps a 404 to stream_not_found', async () => {
    const missing = new Response(
      JSON.stringify({ error: { code: 'stream_not_found', message: 'no', requestId: 'r' } }),
      { status: 404, headers: { 'content-type': 'application/json' } },
    );
    const { fetchImpl, calls } = scripted(missing);
    const { err } = await collect(
      resumeChat(STREAM, '7', { fetch: fetchImpl, baseUrl: 'http://api' }),
    );
    expect((err as ChatApiError).code).toBe('stream_not_found');
    expect(calls[0]).toEqual({
      url: `http://api/api/chat/streams/${STREAM}`,
      method: 'GET',
      lastEventId: '7',
    });
  });

  it('stopChat posts to the stop route and returns its typed result', async () => {
    const { fetchImpl, calls } = scripted(
      new Response(JSON.stringify({ streamId: STREAM, stopped: true }), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(await stopChat(STREAM, { fetch: fetchImpl })).toEqual({
      streamId: STREAM,
      stopped: true,
    });
    expect(calls[0]).toMatchObject({ url: `/api/chat/streams/${STREAM}/stop`, method: 'POST' });
  });
});
