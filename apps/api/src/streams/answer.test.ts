import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerStream, type StreamReader } from './answer';

/** A reader that records what it was given. */
function recorder(withReconnect = false) {
  const got = { text: '', lastId: 0, ended: false, reconnected: undefined as number | undefined };
  const reader: StreamReader = {
    send: (text, lastId) => {
      got.text += text;
      got.lastId = lastId;
      return undefined;
    },
    end: (text, lastId) => {
      got.text += text;
      got.lastId = lastId;
      got.ended = true;
    },
    ...(withReconnect
      ? { reconnect: (_id: string, lastId: number) => (got.reconnected = lastId) }
      : {}),
  };
  return { reader, got };
}

function answer(overrides: Partial<ConstructorParameters<typeof AnswerStream>[0]> = {}) {
  const calls = { abandoned: 0, stopped: 0 };
  const stream = new AnswerStream({
    id: 'stream-id-0000000000000',
    owner: 'owner',
    keep: true,
    numbered: true,
    graceMs: 1000,
    onAbandoned: () => calls.abandoned++,
    onStopped: () => calls.stopped++,
    ...overrides,
  });
  return { stream, calls };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('AnswerStream', () => {
  it('numbers every frame from 1 and keeps them', () => {
    const { stream } = answer();
    expect(stream.data('{"a":1}')).toBe('id: 1\ndata: {"a":1}\n\n');
    expect(stream.raw('event: error\ndata: {}\n\n')).toBe('id: 2\nevent: error\ndata: {}\n\n');
    expect(stream.done()).toBe('id: 3\ndata: [DONE]\n\n');
    expect(stream.frames).toHaveLength(3);
  });

  it('unnumbered (/v1) frames are exactly the plain ones', () => {
    const { stream } = answer({ numbered: false });
    expect(stream.data('{"a":1}')).toBe('data: {"a":1}\n\n');
    expect(stream.done()).toBe('data: [DONE]\n\n');
  });

  it('a reader attached later gets the frames after its last id, then the live ones', () => {
    const { stream } = answer();
    // No reader yet, so nothing to wait for (backpressure comes from a slow primary only).
    expect(stream.write(stream.data('1') + stream.data('2') + stream.data('3'))).toBeUndefined();
    const { reader, got } = recorder();
    stream.attach(reader, 1);
    expect(got.text).toBe('id: 2\ndata: 2\n\nid: 3\ndata: 3\n\n');
    expect(stream.write(stream.data('4'))).toBeUndefined();
    stream.end(stream.done());
    expect(got.text).toContain('id: 4\ndata: 4\n\nid: 5\ndata: [DONE]\n\n');
    expect(got).toMatchObject({ ended: true, lastId: 5 });
  });

  it('attaching to an ended answer replays and ends at once', () => {
    const { stream } = answer();
    expect(stream.write(stream.data('1'))).toBeUndefined();
    stream.end(stream.done());
    const { reader, got } = recorder();
    stream.attach(reader, 0);
    expect(got).toMatchObject({ ended: true, lastId: 2 });
    expect(got.text).toBe('id: 1\ndata: 1\n\nid: 2\ndata: [DONE]\n\n');
  });

  it('only the first reader holds the relay back (backpressure)', () => {
    const { stream } = answer();
    const slow = new Promise<void>(() => undefined);
    stream.setPrimary({ send: () => slow, end: () => undefined });
    expect(stream.write('x')).toBe(slow);
    const other = answer().stream;
    other.attach({ send: () => slow, end: () => undefined }, 0);
    expect(other.write('x')).toBeUndefined();
  });

  it('not resumable: releasing the reader says so (the caller aborts, as without Redis)', () => {
    const { stream, calls } = answer();
    const { reader } = recorder();
    stream.setPrimary(reader);
    expect(stream.release(reader)).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(calls.abandoned).toBe(0);
  });

  it('resumable: the last reader leaving starts the grace period; a return cancels it', () => {
    const { stream, calls } = answer();
    stream.resumable = true;
    const first = recorder();
    stream.setPrimary(first.reader);
    expect(stream.release(first.reader)).toBe(true);
    expect(stream.wanted).toBe(true);
    vi.advanceTimersByTime(900);
    const back = recorder();
    stream.attach(back.reader, 0);
    vi.advanceTimersByTime(5000);
    expect(calls.abandoned).toBe(0);
    stream.release(back.reader);
    vi.advanceTimersByTime(999);
    expect(calls.abandoned).toBe(0);
    vi.advanceTimersByTime(1);
    expect(calls.abandoned).toBe(1);
  });

  it('draining asks readers that can reconnect to, with the last id they have', () => {
    const { stream } = answer();
    stream.resumable = true;
    const primary = recorder(true);
    stream.setPrimary(primary.reader);
    expect(stream.write(stream.data('1') + stream.data('2'))).toBeUndefined();
    stream.reconnectReaders();
    expect(primary.got.reconnected).toBe(2);
    expect(stream.readerCount).toBe(0);
    expect(stream.wanted).toBe(true);
  });

  it('stop: once, and only while live', () => {
    const { stream, calls } = answer();
    expect(stream.stop()).toBe(true);
    expect(calls.stopped).toBe(1);
    stream.end();
    expect(stream.stop()).toBe(false);
    expect(calls.stopped).toBe(1);
  });
});
