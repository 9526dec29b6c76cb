// @vitest-environment node
import { describe, expect, test, vi } from 'vitest';
import { createApiServices } from '../lib/api';
import { FakeApi, FakeAnswer } from '../test/fakeApi';
import type { NetworkStatus } from './answerRun';
import { ChatController } from './controller';
import { FACTORY_SETTINGS } from './settings';
import type { AssistantMessage, Chat } from './types';

/**
 * The controller's resume and stop logic without React, through the app's real API layer
 * (`createApiServices`: the contract's streamChat/resumeChat/stopChat, the backend pool, the
 * access key) on a scripted fetch that speaks the API's numbered SSE frames.
 */

function fakeNetwork() {
  let online = true;
  const listeners = new Set<() => void>();
  const network: NetworkStatus = {
    online: () => online,
    subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  };
  const set = (value: boolean) => {
    online = value;
    for (const listener of [...listeners]) listener();
  };
  return { network, set };
}

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

function setUp(
  options: { bases?: string[]; resumable?: boolean; key?: string; api?: FakeApi } = {},
) {
  const api = options.api ?? new FakeApi();
  api.resumable = options.resumable ?? true;
  const storage = memoryStorage(options.key ? { 'zai-chat:access-key': options.key } : {});
  const services = createApiServices(options.bases ?? [''], { fetch: api.fetch, storage });
  const net = fakeNetwork();
  const announced: string[] = [];
  const controller = new ChatController({
    stream: services.stream,
    resume: services.resume,
    stopStream: services.stopStream,
    network: net.network,
    defaults: () => FACTORY_SETTINGS,
    saveDefaults: () => {},
    announce: (t) => announced.push(t),
    // Every chunk at once, with its frame id, as the real batcher hands them over.
    batcher: (deliver) => ({
      push: (c, eventId) =>
        deliver({
          content: c.choices?.[0]?.delta?.content ?? '',
          reasoning: '',
          ...(eventId !== undefined ? { eventId } : {}),
        }),
      flush: () => {},
    }),
  });
  // Every state the answer went through, to see the reconnecting state however short.
  const seen: AssistantMessage[] = [];
  controller.subscribe(() => {
    const m = controller.active?.messages.at(-1);
    if (m?.role === 'assistant') seen.push(m);
  });
  return { api, controller, net, announced, seen };
}

/** Let promises and stream reads run (the clock may be fake) until `ready`, or fail. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ready()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`not reached: ${ready.toString()}`);
}

const answerOf = (c: ChatController) => c.active!.messages.at(-1) as AssistantMessage;

/** A chat as IndexedDB held it when the page went away mid-answer. */
function savedChat(answer: Partial<AssistantMessage>): Chat {
  return {
    id: 'chat-1',
    title: 'Saved',
    titleLocked: false,
    createdAt: 1,
    updatedAt: 1,
    settings: FACTORY_SETTINGS,
    messages: [
      { id: 'q', role: 'user', content: 'Tell me', createdAt: 1 },
      {
        id: 'a',
        role: 'assistant',
        content: '',
        reasoning: '',
        status: 'streaming',
        createdAt: 1,
        ...answer,
      },
    ],
  };
}

describe('saving the stream with the partial answer', () => {
  test('the stream id, backend, resumable and the id of the last frame shown are kept together', async () => {
    const { api, controller } = setUp();
    const done = controller.send('Hello');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('Hel', 'lo');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('Hello'));
    expect(answerOf(controller).stream).toEqual({
      streamId: api.answer.id,
      base: '',
      resumable: true,
      lastEventId: '2',
    });
    api.answer.push(' there');
    api.answer.done();
    await done;
    // Settled: the stream is no longer needed, nor kept.
    expect(answerOf(controller)).toMatchObject({ content: 'Hello there', status: 'done' });
    expect(answerOf(controller).stream).toBeUndefined();
  });
});

describe('after a reload', () => {
  test('a resumable answer continues from its saved frame: each chunk once, shown as reconnecting until then', async () => {
    // One page reads the answer; its state is what IndexedDB holds when another page loads.
    const first = setUp();
    const done = first.controller.send('Tell me');
    await vi.waitFor(() => expect(first.api.answers.size).toBe(1));
    const answer = first.api.answer;
    answer.push('one ', 'two ');
    await vi.waitFor(() => expect(answerOf(first.controller).content).toBe('one two '));
    const saved = structuredClone(first.controller.getState().chats);
    answer.push('three ');

    const { controller, api, seen } = setUp({ api: first.api });
    controller.hydrate(saved);
    // At once: still streaming, marked reconnecting, text as saved.
    expect(answerOf(controller)).toMatchObject({
      status: 'streaming',
      reconnecting: true,
      content: 'one two ',
    });
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('one two three '));
    expect(answerOf(controller).reconnecting).toBeUndefined();
    answer.push('four');
    answer.done();
    await vi.waitFor(() => expect(answerOf(controller).status).toBe('done'));
    expect(answerOf(controller).content).toBe('one two three four');
    await done;
    expect(answerOf(first.controller).content).toBe('one two three four');
    const resumes = api.requests('GET', '/api/chat/streams/');
    expect(resumes).toHaveLength(1);
    expect(resumes[0]).toMatchObject({ url: `/api/chat/streams/${answer.id}`, lastEventId: '2' });
    // No second question was sent.
    expect(api.requests('POST', '/api/chat')).toHaveLength(1);
    expect(seen.some((m) => m.reconnecting)).toBe(true);
  });

  test('an answer its API could not resume (no Redis) is kept as stopped, without a request', () => {
    const { api, controller } = setUp();
    controller.hydrate([
      savedChat({
        content: 'partial',
        stream: { streamId: 'stream000000000001', base: '', resumable: false, lastEventId: '3' },
      }),
    ]);
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'partial' });
    expect(answerOf(controller).stream).toBeUndefined();
    expect(api.calls).toEqual([]);
  });

  test('an answer saved before streams had ids is kept as stopped', () => {
    const { api, controller } = setUp();
    controller.hydrate([savedChat({ content: 'old' })]);
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'old' });
    expect(api.calls).toEqual([]);
  });

  test.each([
    ['stream_not_found', 'expired or unknown'],
    ['stream_lost', 'its producer died'],
  ] as const)('%s (%s) ends it with that error, the text kept', async (code, _why) => {
    const { api, controller } = setUp();
    const answer = new FakeAnswer('stream000000000042');
    if (code === 'stream_not_found') api.answers.delete(answer.id);
    else {
      api.answers.set(answer.id, answer);
      api.lost.add(answer.id);
    }
    controller.hydrate([
      savedChat({
        content: 'kept text',
        stream: { streamId: answer.id, base: '', resumable: true, lastEventId: '4' },
      }),
    ]);
    await vi.waitFor(() => expect(answerOf(controller).status).toBe('error'));
    expect(answerOf(controller)).toMatchObject({ content: 'kept text', error: { code } });
    expect(answerOf(controller).reconnecting).toBeUndefined();
    expect(api.requests('GET', '/api/chat/streams/')).toHaveLength(1);
  });

  test('the backend it came from is asked first, then the others; the answer goes on there', async () => {
    const api = new FakeApi();
    const answer = new FakeAnswer('stream000000000007');
    api.answers.set(answer.id, answer);
    answer.push('a', 'b', 'c');
    api.down.add('http://first');
    const { controller } = setUp({ api, bases: ['http://second', 'http://first'] });
    controller.hydrate([
      savedChat({
        content: 'ab',
        stream: { streamId: answer.id, base: 'http://first', resumable: true, lastEventId: '2' },
      }),
    ]);
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('abc'));
    expect(answerOf(controller).stream?.base).toBe('http://second');
    answer.done();
    await vi.waitFor(() => expect(answerOf(controller).status).toBe('done'));
    expect(api.requests('GET', '/api/chat/streams/').map((c) => c.url)).toEqual([
      `http://first/api/chat/streams/${answer.id}`,
      `http://second/api/chat/streams/${answer.id}`,
    ]);
  });
});

describe('a lost connection', () => {
  test('the typed client resumes it from the last frame, shown as reconnecting meanwhile', async () => {
    const { api, controller, seen } = setUp();
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    const answer = api.answer;
    answer.push('a', 'b');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('ab'));
    answer.drop();
    answer.push('c');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('abc'));
    answer.push('d');
    answer.done();
    await done;
    expect(answerOf(controller)).toMatchObject({ content: 'abcd', status: 'done' });
    expect(api.requests('GET', '/api/chat/streams/')[0]?.lastEventId).toBe('2');
    expect(seen.some((m) => m.reconnecting)).toBe(true);
    expect(answerOf(controller).reconnecting).toBeUndefined();
  });

  test('offline: reconnecting at once; online again: resumed at once, every chunk once', async () => {
    // Only the clock is fake: the typed client's backoff (250, 500 ms…) passes only when told.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { api, controller, net } = setUp();
      const done = controller.send('q');
      await until(() => api.answers.size === 1);
      const answer = api.answer;
      answer.push('a');
      await until(() => answerOf(controller).content === 'a');
      net.set(false);
      expect(answerOf(controller).reconnecting).toBe(true);
      api.down.add('');
      answer.drop();
      answer.push('b', 'c');
      // The typed client's first resume, 250 ms later, fails: the network is gone.
      await vi.advanceTimersByTimeAsync(250);
      await until(() => api.requests('GET', '/api/chat/streams/').length === 1);
      expect(answerOf(controller)).toMatchObject({ content: 'a', status: 'streaming' });
      api.down.delete('');
      const before = api.calls.length;
      net.set(true);
      // Resumed on the online event, without waiting for the client's next backoff.
      await until(() => answerOf(controller).content === 'abc');
      expect(api.calls.slice(before)).toEqual([
        { method: 'GET', url: `/api/chat/streams/${answer.id}`, lastEventId: '1' },
      ]);
      answer.done();
      await done;
      expect(answerOf(controller)).toMatchObject({ content: 'abc', status: 'done' });
    } finally {
      vi.useRealTimers();
    }
  });

  test('an answer that is not resumable ends with the lost connection, as before', async () => {
    const { api, controller, seen } = setUp({ resumable: false });
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('a');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('a'));
    api.answer.drop();
    await done;
    expect(answerOf(controller)).toMatchObject({
      content: 'a',
      status: 'error',
      error: { code: 'stream_interrupted' },
    });
    expect(api.requests('GET', '/api/chat/streams/')).toEqual([]);
    expect(seen.some((m) => m.reconnecting)).toBe(false);
  });

  test('an error the API sent is the end, not a lost connection: no resume', async () => {
    const { api, controller } = setUp();
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('a');
    api.answer.fail('stream_interrupted');
    await done;
    expect(answerOf(controller)).toMatchObject({
      content: 'a',
      status: 'error',
      error: { code: 'stream_interrupted' },
    });
    expect(api.requests('GET', '/api/chat/streams/')).toEqual([]);
  });
});

describe('Stop', () => {
  test('asks the API to stop it (with the key), shows it stopped at once, then the API ends the reading', async () => {
    const { api, controller, announced } = setUp({ key: 'zc_test-key' });
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    const answer = api.answer;
    answer.push('kept');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('kept'));
    api.holdStops = true;
    controller.stop();
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'kept' });
    expect(announced.at(-1)).toBe('Answer stopped');
    expect(controller.isStreaming()).toBe(false);
    await vi.waitFor(() => expect(api.requests('POST', '/stop')).toHaveLength(1));
    expect(api.requests('POST', '/stop')[0]).toMatchObject({
      url: `/api/chat/streams/${answer.id}/stop`,
      auth: 'Bearer zc_test-key',
    });
    // Text that arrives before the API acted is not shown.
    answer.push(' more');
    api.releaseStops();
    await done;
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'kept' });
    // The API ended the connection with `event: stopped`: nothing was aborted.
    expect(answer.isEnded).toBe(true);
    expect(answer.closedReaders).toBe(1);
    expect(answer.abortedReaders).toBe(0);
  });

  test('when the stop request fails (API unreachable) the connection is dropped at once', async () => {
    const { api, controller } = setUp();
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    const answer = api.answer;
    answer.push('kept');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('kept'));
    api.down.add('');
    controller.stop();
    await done;
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'kept' });
    expect(api.requests('POST', '/stop')).toHaveLength(1);
    expect(answer.abortedReaders).toBe(1);
    expect(answer.isEnded).toBe(false);
  });

  test('a stream that is not resumable is stopped the same explicit way', async () => {
    const { api, controller } = setUp({ resumable: false });
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('kept');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('kept'));
    controller.stop();
    await done;
    expect(api.requests('POST', '/stop')).toHaveLength(1);
    expect(api.answer.isEnded).toBe(true);
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'kept' });
  });

  test('a resumed answer can be stopped too', async () => {
    const api = new FakeApi();
    const answer = new FakeAnswer('stream000000000009');
    api.answers.set(answer.id, answer);
    answer.push('a', 'b');
    const { controller } = setUp({ api });
    controller.hydrate([
      savedChat({
        content: 'a',
        stream: { streamId: answer.id, base: '', resumable: true, lastEventId: '1' },
      }),
    ]);
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('ab'));
    controller.stop();
    await vi.waitFor(() => expect(answer.isEnded).toBe(true));
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'ab' });
  });

  test('stopped by its owner elsewhere (another tab): stopped here too, not an error', async () => {
    const { api, controller } = setUp();
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('x');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('x'));
    api.answer.stop();
    await done;
    expect(answerOf(controller)).toMatchObject({ status: 'stopped', content: 'x' });
    expect(answerOf(controller).error).toBeUndefined();
  });

  test('deleting a chat stops its answer at the API', async () => {
    const { api, controller } = setUp();
    const done = controller.send('q');
    await vi.waitFor(() => expect(api.answers.size).toBe(1));
    api.answer.push('x');
    await vi.waitFor(() => expect(answerOf(controller).content).toBe('x'));
    controller.remove(controller.active!.id);
    await done;
    expect(api.requests('POST', '/stop')).toHaveLength(1);
    expect(api.answer.isEnded).toBe(true);
  });
});
