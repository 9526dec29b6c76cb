// @vitest-environment node
import { ChatApiError, type ChatChunk } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { AccessKeyStore, KeyPrompt, authHeaders, normalizeKey } from './accessKey';
import { streamWithKey } from './authorizedStream';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

test('the key store keeps one key, cleaned of whitespace and a Bearer prefix, and forgets it', () => {
  const storage = memoryStorage();
  const keys = new AccessKeyStore(storage);
  let changes = 0;
  keys.subscribe(() => changes++);
  expect(keys.get()).toBeUndefined();
  expect(keys.has()).toBe(false);
  expect(keys.set('   ')).toBe(false);
  expect(keys.set('  Bearer zc_abc\n123 ')).toBe(true);
  expect(keys.get()).toBe('zc_abc123');
  expect(storage.data.get('zai-chat:access-key')).toBe('zc_abc123');
  // Another store on the same storage (a reload) reads it back.
  expect(new AccessKeyStore(storage).get()).toBe('zc_abc123');
  keys.forget();
  expect(keys.get()).toBeUndefined();
  expect(storage.data.size).toBe(0);
  expect(changes).toBe(2);
  expect(normalizeKey('bearer   zc_x')).toBe('zc_x');
  expect(authHeaders('zc_x')).toEqual({ Authorization: 'Bearer zc_x' });
  expect(authHeaders(undefined)).toEqual({});
});

test('a storage that refuses writes keeps the key for this tab only', () => {
  const keys = new AccessKeyStore({
    getItem: () => null,
    setItem: () => {
      throw new DOMException('quota', 'QuotaExceededError');
    },
    removeItem: () => {},
  });
  expect(keys.set('zc_mem')).toBe(true);
  expect(keys.get()).toBe('zc_mem');
  keys.forget();
  expect(keys.get()).toBeUndefined();
});

test('a prompt is shared by concurrent asks; a rejection upgrades its reason', async () => {
  const prompt = new KeyPrompt();
  const first = prompt.ask('required');
  const second = prompt.ask('rejected');
  expect(prompt.pending()).toBe('rejected');
  prompt.answer('zc_key');
  expect(await first).toBe('zc_key');
  expect(await second).toBe('zc_key');
  expect(prompt.pending()).toBeUndefined();

  const controller = new AbortController();
  const aborted = prompt.ask('required', controller.signal);
  controller.abort();
  expect(await aborted).toBeUndefined();
  prompt.answer(undefined);
});

const unauthorized = () =>
  new ChatApiError({ code: 'unauthorized', message: 'needs a key', requestId: 'r' }, 401);
const chunk = (content: string) => ({ choices: [{ delta: { content } }] }) as ChatChunk;

/** An API that accepts only `zc_good` and records the Authorization header of each attempt. */
function keyedApi() {
  const sent: (string | undefined)[] = [];
  const attempt = async function* (headers: Record<string, string>) {
    sent.push(headers.Authorization);
    if (headers.Authorization !== 'Bearer zc_good') throw unauthorized();
    yield chunk('hello');
  };
  return { sent, attempt };
}

async function drain(stream: AsyncIterable<ChatChunk>) {
  const out: string[] = [];
  for await (const c of stream) out.push(c.choices?.[0]?.delta?.content ?? '');
  return out.join('');
}

test('a 401 asks for a key, then sends the same request again with it: one answer', async () => {
  const keys = new AccessKeyStore(memoryStorage());
  const prompt = new KeyPrompt();
  const api = keyedApi();
  const reasons: (string | undefined)[] = [];
  prompt.subscribe(() => {
    const reason = prompt.pending();
    reasons.push(reason);
    // The user types a wrong key first, then the right one.
    if (reason === 'required') queueMicrotask(() => prompt.answer('zc_wrong'));
    if (reason === 'rejected') queueMicrotask(() => prompt.answer('zc_good'));
  });
  const text = await drain(streamWithKey(api.attempt, keys, prompt, new AbortController().signal));
  expect(text).toBe('hello');
  expect(api.sent).toEqual([undefined, 'Bearer zc_wrong', 'Bearer zc_good']);
  expect(reasons.filter(Boolean)).toEqual(['required', 'rejected']);
  expect(keys.get()).toBe('zc_good');
});

test('closing the dialog ends the answer with the 401; other errors never ask', async () => {
  const keys = new AccessKeyStore(memoryStorage());
  const prompt = new KeyPrompt();
  prompt.subscribe(() => prompt.pending() && queueMicrotask(() => prompt.answer(undefined)));
  const api = keyedApi();
  await expect(
    drain(streamWithKey(api.attempt, keys, prompt, new AbortController().signal)),
  ).rejects.toMatchObject({ code: 'unauthorized' });
  expect(api.sent).toEqual([undefined]);

  let asked = false;
  const other = new KeyPrompt();
  other.subscribe(() => (asked = true));
  const failing = (): AsyncIterable<ChatChunk> => ({
    [Symbol.asyncIterator]: () => ({
      next: () =>
        Promise.reject(
          new ChatApiError({ code: 'rate_limited', message: 'slow', requestId: '' }, 429),
        ),
    }),
  });
  await expect(
    drain(streamWithKey(failing, keys, other, new AbortController().signal)),
  ).rejects.toMatchObject({ code: 'rate_limited' });
  expect(asked).toBe(false);
});
