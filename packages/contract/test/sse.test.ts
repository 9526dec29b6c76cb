import { describe, expect, it } from 'vitest';
import {
  type ChatChunk,
  DONE_FRAME,
  StreamProtocolError,
  encodeChunkFrame,
  encodeErrorFrame,
  parseChatFrame,
  readChatEvents,
  readSseFrameBatches,
  readSseFrames,
} from '../src';

const chunk = (content: string): ChatChunk => ({
  id: 'c1',
  created: 1730000000,
  model: 'glm-4.6',
  choices: [{ index: 0, delta: { role: 'assistant', content } }],
});

/** A byte stream that delivers `bytes` in pieces cut at the given offsets. */
function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [
    0,
    ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < points.length - 1; i++)
        controller.enqueue(bytes.slice(points[i], points[i + 1]));
      controller.close();
    },
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const wire =
  encodeChunkFrame(chunk('Hello ')) +
  encodeChunkFrame(chunk('wörld 🌍, ')) +
  encodeChunkFrame(chunk('done')) +
  DONE_FRAME;

describe('SSE framing', () => {
  it('frames match Z.AI: data lines, blank line, [DONE] last', () => {
    expect(encodeChunkFrame(chunk('x'))).toMatch(/^data: \{.*\}\n\n$/);
    expect(DONE_FRAME).toBe('data: [DONE]\n\n');
    expect(
      encodeErrorFrame({ error: { code: 'upstream_error', message: 'm', requestId: 'r' } }),
    ).toBe(
      'event: error\ndata: {"error":{"code":"upstream_error","message":"m","requestId":"r"}}\n\n',
    );
  });

  it('decodes the same events however the bytes are split (every cut point, incl. inside UTF-8)', async () => {
    const bytes = new TextEncoder().encode(wire);
    const whole = await collect(readChatEvents(streamOf(bytes, [])));
    expect(whole.map((e) => e.type)).toEqual(['chunk', 'chunk', 'chunk', 'done']);
    for (let cut = 1; cut < bytes.length; cut += 3) {
      const events = await collect(readChatEvents(streamOf(bytes, [cut, cut + 1, cut + 7])));
      expect(events).toEqual(whole);
    }
  });

  it('decodes many frames in one read', async () => {
    const frames = await collect(
      readSseFrames(streamOf(new TextEncoder().encode(wire.repeat(50)), [])),
    );
    expect(frames).toHaveLength(200);
  });

  it('yields one batch per read, and drops an unterminated last frame', async () => {
    const bytes = new TextEncoder().encode(wire + 'data: {"partial":');
    const batches = await collect(readSseFrameBatches(streamOf(bytes, [bytes.length - 30])));
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    expect(batches.flat().at(-1)?.data).toBe('[DONE]');
  });

  it('an error event becomes a typed error', () => {
    const frame = {
      event: 'error',
      data: '{"error":{"code":"rate_limited","message":"m","requestId":"r"}}',
    };
    expect(parseChatFrame(frame)).toEqual({
      type: 'error',
      body: { error: { code: 'rate_limited', message: 'm', requestId: 'r' } },
    });
  });

  it.each([
    ['not JSON', { event: undefined, data: '{"id":' }],
    ['not a chunk', { event: undefined, data: '{"hello":1}' }],
    [
      'error event with an unknown code',
      { event: 'error', data: '{"error":{"code":"nope","message":"m","requestId":"r"}}' },
    ],
  ])('rejects a frame that breaks the contract: %s', (_name, frame) => {
    expect(() => parseChatFrame(frame)).toThrow(StreamProtocolError);
  });

  it('keeps fields Z.AI adds to chunks', () => {
    const event = parseChatFrame({
      event: undefined,
      data: JSON.stringify({ ...chunk('x'), web_search: [{ title: 't' }] }),
    });
    expect(event.type === 'chunk' && (event.chunk as Record<string, unknown>).web_search).toEqual([
      { title: 't' },
    ]);
  });
});
