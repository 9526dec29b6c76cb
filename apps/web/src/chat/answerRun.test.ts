// @vitest-environment node
import { type ChatChunk, ChatApiError } from '@zai-chat/contract';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import {
  AnswerRun,
  type Connect,
  type NetworkStatus,
  RESUME_RETRIES,
  RESUME_RETRY_BASE_MS,
  type RunEvents,
  STOP_TIMEOUT_MS,
  type StreamHooks,
  lostConnection,
} from './answerRun';
import type { StreamRef } from './types';

/**
 * The run's own policies, on a fake clock: waiting for the network, its bounded retries, and
 * Stop's fallback to dropping the connection. Connections are scripted here; the typed client
 * and the API layer are in controller.resume.test.ts.
 */

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

const chunk = (content: string): ChatChunk => ({ choices: [{ index: 0, delta: { content } }] });
const unreachable = () =>
  new ChatApiError({ code: 'api_unreachable', message: 'x', requestId: '' });
const REF: StreamRef = { streamId: 'stream000000000001', base: '', resumable: true };

/** A connection the test drives: it reports its headers, then yields what is pushed. */
function connection(info?: Omit<StreamRef, 'lastEventId'>) {
  const queue: (ChatChunk | Error)[] = [];
  let wake: (() => void) | undefined;
  let signal: AbortSignal | undefined;
  const connect: Connect = (s: AbortSignal, hooks: StreamHooks) => {
    signal = s;
    return (async function* () {
      if (info) hooks.onStream?.(info);
      let id = 0;
      for (;;) {
        if (s.aborted) throw s.reason;
        const next = queue.shift();
        if (next instanceof Error) throw next;
        if (next) {
          hooks.onEventId?.(String(++id));
          yield next;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
          s.addEventListener('abort', () => r(), { once: true });
        });
      }
    })();
  };
  return {
    connect,
    push: (item: ChatChunk | Error) => (queue.push(item), wake?.()),
    get signal() {
      return signal;
    },
  };
}

function network(initial = true) {
  let online = initial;
  const listeners = new Set<() => void>();
  const status: NetworkStatus = {
    online: () => online,
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  return {
    status,
    set(value: boolean) {
      online = value;
      for (const l of [...listeners]) l();
    },
  };
}

function recorder() {
  const log: string[] = [];
  const events: RunEvents = {
    chunk: (c, id) => log.push(`chunk ${c.choices?.[0]?.delta?.content} #${id}`),
    stream: (s) => log.push(`stream ${s.streamId}`),
    answeredBy: () => {},
    reconnecting: (on) => log.push(on ? 'reconnecting' : 'connected'),
    finish: (status, err) =>
      log.push(`finish ${status}${err instanceof ChatApiError ? ` ${err.code}` : ''}`),
  };
  return { log, events };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test('what counts as a lost connection: no answer from the network, not an answer from the API', () => {
  expect(lostConnection(unreachable())).toBe(true);
  expect(
    lostConnection(new ChatApiError({ code: 'stream_interrupted', message: '', requestId: '' })),
  ).toBe(true);
  // The API's own error event (over a 200 response) and its typed statuses end the answer.
  expect(
    lostConnection(
      new ChatApiError({ code: 'stream_interrupted', message: '', requestId: '' }, 200),
    ),
  ).toBe(false);
  expect(
    lostConnection(new ChatApiError({ code: 'stream_not_found', message: '', requestId: '' }, 404)),
  ).toBe(false);
  expect(lostConnection(new TypeError('bug'))).toBe(false);
});

test('offline, the run waits for the network however long, then resumes from the last frame', async () => {
  const first = connection(REF);
  const resumes: StreamRef[] = [];
  const second = connection();
  const net = network();
  const { log, events } = recorder();
  const run = new AnswerRun(
    first.connect,
    {
      network: net.status,
      resume: (ref, signal, hooks) => (resumes.push(ref), second.connect(signal, hooks)),
    },
    events,
  );
  const done = run.run();
  first.push(chunk('a'));
  await settle();
  net.set(false);
  // The typed client gave up (its retries spent while offline).
  first.push(unreachable());
  await settle();
  await vi.advanceTimersByTimeAsync(10 * 60_000);
  expect(resumes).toEqual([]);
  net.set(true);
  await settle();
  expect(resumes).toEqual([{ ...REF, lastEventId: '1' }]);
  second.push(chunk('b'));
  await settle();
  expect(log).toEqual([
    'stream stream000000000001',
    'chunk a #1',
    'reconnecting',
    'connected',
    'chunk b #1',
  ]);
  void done;
});

test('online but unreachable: a few resumes 1, 2, 4 s apart, then the error', async () => {
  const first = connection(REF);
  let resumes = 0;
  const { log, events } = recorder();
  const run = new AnswerRun(
    first.connect,
    {
      network: network(true).status,
      resume: (_ref, signal, hooks) => {
        resumes++;
        const c = connection();
        c.push(unreachable());
        return c.connect(signal, hooks);
      },
    },
    events,
  );
  const done = run.run();
  first.push(chunk('a'));
  first.push(unreachable());
  await settle();
  expect(resumes).toBe(0);
  for (let i = 0; i < RESUME_RETRIES; i++) {
    await vi.advanceTimersByTimeAsync(RESUME_RETRY_BASE_MS * 2 ** i - 1);
    expect(resumes).toBe(i);
    await vi.advanceTimersByTimeAsync(1);
    expect(resumes).toBe(i + 1);
  }
  await done;
  expect(log.at(-1)).toBe('finish error api_unreachable');
  expect(resumes).toBe(RESUME_RETRIES);
});

test('Stop: shown at once; when the API does not confirm, the connection is dropped after the timeout', async () => {
  const first = connection(REF);
  const stops: StreamRef[] = [];
  const { log, events } = recorder();
  const run = new AnswerRun(
    first.connect,
    { stopStream: (ref) => (stops.push(ref), new Promise(() => {})) },
    events,
  );
  const done = run.run();
  first.push(chunk('a'));
  await settle();
  run.stop();
  expect(log.at(-1)).toBe('finish stopped');
  expect(stops).toEqual([REF]);
  await vi.advanceTimersByTimeAsync(STOP_TIMEOUT_MS - 1);
  expect(first.signal?.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(first.signal?.aborted).toBe(true);
  await done;
  expect(log.filter((l) => l.startsWith('finish'))).toEqual(['finish stopped']);
});

test('Stop before the answer has an id (no headers yet): the request is dropped at once', async () => {
  const first = connection();
  const stops: StreamRef[] = [];
  const { log, events } = recorder();
  const run = new AnswerRun(first.connect, { stopStream: async (ref) => stops.push(ref) }, events);
  const done = run.run();
  await settle();
  run.stop();
  expect(first.signal?.aborted).toBe(true);
  await done;
  expect(stops).toEqual([]);
  expect(log).toEqual(['finish stopped']);
});

test('Stop while waiting for the network ends the wait', async () => {
  const first = connection(REF);
  const net = network();
  const { log, events } = recorder();
  const run = new AnswerRun(
    first.connect,
    {
      network: net.status,
      resume: () => {
        throw new Error('not resumed while offline');
      },
      stopStream: () => Promise.reject(unreachable()),
    },
    events,
  );
  const done = run.run();
  net.set(false);
  first.push(unreachable());
  await settle();
  run.stop();
  await done;
  expect(log).toEqual(['stream stream000000000001', 'reconnecting', 'finish stopped']);
});

test('offline, a chunk still on its way does not clear Reconnecting…; online, the (stalled) connection is replaced', async () => {
  const first = connection(REF);
  const second = connection();
  const resumes: StreamRef[] = [];
  const net = network();
  const { log, events } = recorder();
  const run = new AnswerRun(
    first.connect,
    {
      network: net.status,
      resume: (ref, signal, hooks) => (resumes.push(ref), second.connect(signal, hooks)),
    },
    events,
  );
  void run.run();
  first.push(chunk('a'));
  await settle();
  net.set(false);
  first.push(chunk('b'));
  await settle();
  // Then the connection stalls: no more chunks, no error, as a lost network often leaves it.
  expect(log).toEqual(['stream stream000000000001', 'chunk a #1', 'reconnecting', 'chunk b #2']);
  net.set(true);
  await settle();
  expect(first.signal?.aborted).toBe(true);
  expect(resumes).toEqual([{ ...REF, lastEventId: '2' }]);
  second.push(chunk('c'));
  await settle();
  expect(log.slice(4)).toEqual(['connected', 'chunk c #1']);
});
