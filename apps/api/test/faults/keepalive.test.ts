import { KEEP_ALIVE_FRAME, readChatEvents } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { splitStream, streamOf } from './helpers';

/**
 * A stream that is silent (long reasoning, slow first token) still sends a comment every
 * SSE_KEEPALIVE_MS, so proxies don't cut it; SSE parsers drop comments, so clients never see them.
 */
let stack: Stack;
let baseUrl: string;
beforeAll(async () => {
  stack = await startStack({ SSE_KEEPALIVE_MS: '100', UPSTREAM_IDLE_TIMEOUT_MS: '10000' });
  baseUrl = await stack.listen();
});
afterAll(() => stack.close());

/** Read the raw body, noting when the first keep-alive and the first data frame arrived. */
async function readTimed(content: string) {
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(streamOf(content)),
  });
  const decoder = new TextDecoder();
  const started = performance.now();
  let text = '';
  let firstKeepAliveAt: number | undefined;
  let firstDataAt: number | undefined;
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(bytes, { stream: true });
    const now = performance.now() - started;
    if (firstKeepAliveAt === undefined && text.includes(KEEP_ALIVE_FRAME)) firstKeepAliveAt = now;
    if (firstDataAt === undefined && text.includes('data:')) firstDataAt = now;
  }
  return { res, text, firstKeepAliveAt, firstDataAt };
}

describe('SSE keep-alive', () => {
  it('sends comment lines during a silent gap, before the first data frame, in real time', async () => {
    const { res, text, firstKeepAliveAt, firstDataAt } = await readTimed(
      'hi [sim:normal gap=1500]',
    );
    expect(res.status).toBe(200);
    // A frame starts with its `id:` line (resumable streams number their frames).
    const beforeData = text.slice(0, text.search(/^(id|data):/m));
    const keepAlives = beforeData.split(KEEP_ALIVE_FRAME).length - 1;
    // ~14 ticks fit in the gap; a loaded CI machine still manages a few.
    expect(keepAlives).toBeGreaterThanOrEqual(3);
    expect(beforeData.replaceAll(KEEP_ALIVE_FRAME, '')).toBe('');
    // Flushed as they happen, not buffered until the data arrives.
    expect(firstKeepAliveAt).toBeDefined();
    expect(firstDataAt! - firstKeepAliveAt!).toBeGreaterThan(500);
    const { done, chunks } = await splitStream(text);
    expect(done).toBe(true);
    expect(chunks.length).toBeGreaterThan(0);
  });

  it("the contract's reader ignores them: only chunks and done come out", async () => {
    const res = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(streamOf('again [sim:normal gap=500]')),
    });
    const types = new Set<string>();
    for await (const event of readChatEvents(res.body!)) types.add(event.type);
    expect([...types].sort()).toEqual(['chunk', 'done']);
  });

  it('a stream that flows steadily needs no keep-alive', async () => {
    // 60 chunks spread over ~600 ms: every 100 ms tick finds fresh data.
    const { text } = await readTimed('steady [sim:normal chunks=60 ms=600]');
    // A frame starts with its `id:` line (resumable streams number their frames).
    const beforeData = text.slice(0, text.search(/^(id|data):/m));
    expect(beforeData).not.toContain(KEEP_ALIVE_FRAME);
    // A loaded machine may starve a tick or two, never most of them.
    expect(text.split(KEEP_ALIVE_FRAME).length - 1).toBeLessThanOrEqual(3);
  });
});
