import type { ChatChunk, ChatRequestInput } from '@zai-chat/contract';
import { ChatApiError } from '@zai-chat/contract';
import { describe, expect, test, vi } from 'vitest';
import { ChatController } from './controller';
import { FACTORY_SETTINGS } from './settings';
import type { AssistantMessage, ChatSettings } from './types';

const chunk = (content: string, extra: Partial<ChatChunk> = {}): ChatChunk => ({
  choices: [{ index: 0, delta: { content } }],
  ...extra,
});

/**
 * A stream the test drives by hand: `push` a chunk, `end` it, or `fail` it; it also honours
 * the abort signal the way streamChat does (rejecting with an AbortError).
 */
function manualStream() {
  const requests: ChatRequestInput[] = [];
  let feed: { push(c: ChatChunk): void; end(): void; fail(e: Error): void } | undefined;
  const stream = (request: ChatRequestInput, signal: AbortSignal): AsyncIterable<ChatChunk> => {
    requests.push(request);
    const queue: ChatChunk[] = [];
    let done = false;
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => wake?.();
    feed = {
      push: (c) => (queue.push(c), notify()),
      end: () => ((done = true), notify()),
      fail: (e) => ((error = e), notify()),
    };
    signal.addEventListener('abort', () => {
      error = new DOMException('aborted', 'AbortError');
      notify();
    });
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (queue.length) yield queue.shift()!;
          else if (error) throw error;
          else if (done) return;
          else await new Promise<void>((r) => (wake = r));
        }
      },
    };
  };
  return { stream, requests, feed: () => feed! };
}

/** An image store: a memory cache in front of a "disk" that answers asynchronously. */
function imageStore() {
  const cache = new Map<string, string>();
  const disk = new Map<string, string>();
  return {
    cache,
    disk,
    put: (id: string, url: string) => void (cache.set(id, url), disk.set(id, url)),
    get: (id: string) => cache.get(id),
    load: async (id: string) => cache.get(id) ?? disk.get(id),
  };
}

function setUp(defaults: ChatSettings = FACTORY_SETTINGS) {
  const io = manualStream();
  const images = imageStore();
  const announced: string[] = [];
  const saved: ChatSettings[] = [];
  const controller = new ChatController({
    stream: (request, signal, hooks) => {
      hooks.onAnsweredBy?.({ base: 'http://backup', instance: 'api-2' });
      return io.stream(request, signal);
    },
    images,
    defaults: () => defaults,
    saveDefaults: (s) => saved.push(s),
    announce: (t) => announced.push(t),
    // Deliver every chunk at once: no animation frames in a unit test.
    batcher: (deliver) => ({
      push: (c) =>
        deliver({
          content: c.choices?.[0]?.delta?.content ?? '',
          reasoning: c.choices?.[0]?.delta?.reasoning_content ?? '',
          usage: c.usage ?? undefined,
        }),
      flush: () => {},
    }),
  });
  controller.hydrate([]);
  return { controller, io, announced, saved, images };
}

const lastAnswer = (c: ChatController) => c.active!.messages.at(-1) as AssistantMessage;

describe('ChatController (no React)', () => {
  test('send creates a chat, streams the answer into it, and announces start and end', async () => {
    const { controller, io, announced } = setUp();
    let renders = 0;
    controller.subscribe(() => renders++);
    const done = controller.send('  Hello there  ');
    expect(controller.active?.title).toBe('Hello there');
    expect(controller.isStreaming()).toBe(true);
    io.feed().push(chunk('Hi'));
    io.feed().push(chunk(' you'));
    io.feed().end();
    await done;
    expect(lastAnswer(controller)).toMatchObject({ content: 'Hi you', status: 'done' });
    expect(controller.isStreaming()).toBe(false);
    expect(io.requests[0]?.messages).toEqual([{ role: 'user', content: 'Hello there' }]);
    expect(announced).toEqual(['Answer started', 'Answer finished']);
    expect(renders).toBeGreaterThanOrEqual(4);
  });

  test('stop keeps the partial answer as stopped', async () => {
    const { controller, io, announced } = setUp();
    const done = controller.send('Long one');
    io.feed().push(chunk('partial'));
    await vi.waitFor(() => expect(lastAnswer(controller).content).toBe('partial'));
    controller.stop();
    await done;
    expect(lastAnswer(controller)).toMatchObject({ content: 'partial', status: 'stopped' });
    expect(announced.at(-1)).toBe('Answer stopped');
  });

  test('a typed API error is kept on the answer; anything else is an interrupted stream', async () => {
    const { controller, io } = setUp();
    let done = controller.send('q1');
    io.feed().fail(new ChatApiError({ code: 'api_unreachable', message: 'x', requestId: '' }));
    await done;
    expect(lastAnswer(controller)).toMatchObject({
      status: 'error',
      error: { code: 'api_unreachable' },
    });
    done = controller.regenerate();
    io.feed().fail(new TypeError('network'));
    await done;
    expect(lastAnswer(controller).error?.code).toBe('stream_interrupted');
    expect(controller.active!.messages).toHaveLength(2);
  });

  test('regenerate replaces the last answer; edit replaces everything after the question', async () => {
    const { controller, io } = setUp();
    let done = controller.send('first');
    io.feed().push(chunk('A1'));
    io.feed().end();
    await done;
    done = controller.send('second');
    io.feed().push(chunk('A2'));
    io.feed().end();
    await done;

    done = controller.regenerate();
    io.feed().push(chunk('A2 again'));
    io.feed().end();
    await done;
    expect(controller.active!.messages.map((m) => m.content)).toEqual([
      'first',
      'A1',
      'second',
      'A2 again',
    ]);
    // The regenerated request is the history without the old answer.
    expect(io.requests.at(-1)?.messages.map((m) => m.content)).toEqual(['first', 'A1', 'second']);

    const firstId = controller.active!.messages[0]!.id;
    done = controller.edit(firstId, 'first, edited');
    io.feed().push(chunk('B1'));
    io.feed().end();
    await done;
    expect(controller.active!.messages.map((m) => m.content)).toEqual(['first, edited', 'B1']);
  });

  test('requests are clamped to the API ceiling once it is known', async () => {
    const { controller, io } = setUp({ ...FACTORY_SETTINGS, max_tokens: 131_072 });
    controller.setMaxTokensCeiling(32_768);
    const done = controller.send('big');
    io.feed().end();
    await done;
    expect(io.requests[0]?.max_tokens).toBe(32_768);
  });

  test('remove aborts the chat’s answer and returns it; restore brings it back stopped', async () => {
    const { controller, io } = setUp();
    const done = controller.send('to delete');
    io.feed().push(chunk('half'));
    await Promise.resolve();
    const id = controller.active!.id;
    const removed = controller.remove(id);
    await done;
    expect(controller.getState().chats).toHaveLength(0);
    controller.restore(removed!);
    expect(controller.active?.id).toBe(id);
    expect(lastAnswer(controller).status).toBe('stopped');
  });

  test('settings go to the active chat and become the defaults; an empty chat is reused', () => {
    const { controller, saved } = setUp();
    controller.newChat();
    const first = controller.active!.id;
    controller.newChat();
    expect(controller.active!.id).toBe(first);
    controller.updateSettings({ ...FACTORY_SETTINGS, model: 'glm-4.5-air' });
    expect(controller.active!.settings.model).toBe('glm-4.5-air');
    expect(saved.at(-1)?.model).toBe('glm-4.5-air');
  });

  test('images go to the store and into the request as parts; a reload reads them back', async () => {
    const { controller, io, images } = setUp();
    const photo = { name: 'cat.png', mime: 'image/png', width: 4, height: 3, bytes: 10 };
    let done = controller.send('What is this?', [
      { ...photo, dataUrl: 'data:image/png;base64,AAAA' },
    ]);
    io.feed().end();
    await done;
    const question = controller.active!.messages[0]!;
    expect(question.role === 'user' && question.attachments).toEqual([
      { id: expect.any(String) as unknown, ...photo },
    ]);
    const id = question.role === 'user' ? question.attachments![0]!.id : '';
    expect(images.disk.get(id)).toBe('data:image/png;base64,AAAA');
    expect(io.requests[0]?.messages[0]?.content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'text', text: 'What is this?' },
    ]);
    // After a reload only the disk has it: the request waits for the read, then goes.
    images.cache.clear();
    done = controller.regenerate();
    await vi.waitFor(() => expect(io.requests).toHaveLength(2));
    io.feed().end();
    await done;
    expect(io.requests[1]?.messages[0]?.content).toEqual(io.requests[0]?.messages[0]?.content);
    expect(lastAnswer(controller).answeredBy).toEqual({ base: 'http://backup', instance: 'api-2' });
  });

  test('image_too_large points at the attachment it names; an edit can drop it', async () => {
    const { controller, io } = setUp();
    const image = (name: string) => ({
      name,
      mime: 'image/png',
      width: 1,
      height: 1,
      bytes: 1,
      dataUrl: `data:image/png;base64,${name}`,
    });
    let done = controller.send('two images', [image('small'), image('huge')]);
    io.feed().fail(
      new ChatApiError(
        {
          code: 'image_too_large',
          message: 'An attached image is too large. Attach a smaller one.',
          requestId: 'r',
          issues: [
            {
              path: 'messages.0.content.1',
              message: 'This image is 6.0 MB; images may be at most 5.0 MB',
            },
          ],
        },
        413,
      ),
    );
    await done;
    const question = controller.active!.messages[0]!;
    const [small, huge] = question.role === 'user' ? question.attachments! : [];
    expect(lastAnswer(controller).attachmentIssues).toEqual([
      {
        messageId: question.id,
        attachmentId: huge!.id,
        message: 'This image is 6.0 MB; images may be at most 5.0 MB',
      },
    ]);

    done = controller.edit(question.id, 'one image', [small!]);
    io.feed().end();
    await done;
    expect(io.requests.at(-1)?.messages[0]?.content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,small' } },
      { type: 'text', text: 'one image' },
    ]);
    expect(lastAnswer(controller).attachmentIssues).toBeUndefined();
  });

  test('capabilities from the API config shape the request', async () => {
    const { controller, io } = setUp({ ...FACTORY_SETTINGS, thinking: true });
    controller.setApiConfig({
      upstream: 'simulator',
      defaultModel: 'text-only',
      models: [{ id: 'text-only', vision: false, reasoning: false, tools: false }],
      limits: {
        maxMessages: 10,
        maxMessageChars: 10,
        maxTokensCeiling: 100,
        bodyBytes: 1000,
        maxImageBytes: 10,
        maxImagesPerRequest: 1,
      },
      access: { mode: 'open' },
      resumableStreams: false,
    });
    expect(controller.modelInfo('')?.id).toBe('text-only');
    const done = controller.send('hi');
    io.feed().end();
    await done;
    expect(io.requests[0]).not.toHaveProperty('thinking');
    expect(io.requests[0]?.max_tokens).toBe(100);
  });
});
