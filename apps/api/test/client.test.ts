import { ChatApiError, type ChatChunk, createApiClient, streamChat } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

/** Client side of the contract: the typed client against the API on a real port. */
let stack: Stack;
let baseUrl: string;
beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '1' });
  baseUrl = await stack.listen();
});
afterAll(() => stack.close());

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('streamChat', () => {
  it('yields validated chunks whose text rejoins the answer', async () => {
    const chunks: ChatChunk[] = [];
    for await (const chunk of streamChat(ask('hello'), { baseUrl })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
    expect(text).toMatch(/^Simulated answer to "hello"\./);
    expect(chunks.at(-1)?.choices?.[0]?.finish_reason).toBe('stop');
  });

  it('receives the first chunk long before the simulator sends its last', async () => {
    const started = performance.now();
    let firstAt = 0;
    let count = 0;
    for await (const _ of streamChat(ask('[sim:slow ms=1500 chunks=30]'), { baseUrl })) {
      if (count++ === 0) firstAt = performance.now() - started;
    }
    const total = performance.now() - started;
    // The last content chunk is scheduled at ≥ 1450 ms; the first at 0 ms.
    expect(total).toBeGreaterThan(1400);
    expect(firstAt).toBeLessThan(total / 3);
  });

  it('stops when aborted, and the upstream request closes', async () => {
    const controller = new AbortController();
    let received = 0;
    await expect(
      (async () => {
        for await (const _ of streamChat(ask('[sim:slow ms=5000]'), {
          baseUrl,
          signal: controller.signal,
        })) {
          if (++received === 3) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(received).toBe(3);
    await stack.sim.waitForOpenRequests(0, 1000);
  });

  it('throws ChatApiError with the typed code for an HTTP error', async () => {
    const err = await consume(streamChat(ask('[sim:balance]'), { baseUrl })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChatApiError);
    expect((err as ChatApiError).code).toBe('insufficient_balance');
    expect((err as ChatApiError).status).toBe(503);
  });

  it('throws ChatApiError for a mid-stream error event, after the chunks before it', async () => {
    let received = 0;
    const err = await (async () => {
      for await (const _ of streamChat(ask('[sim:drop]'), { baseUrl })) received++;
    })().catch((e: unknown) => e);
    expect(received).toBeGreaterThan(0);
    expect((err as ChatApiError).code).toBe('upstream_error');
  });

  it('throws for a 400 with the field issues', async () => {
    const err = await consume(streamChat({ messages: [] }, { baseUrl })).catch((e: unknown) => e);
    expect((err as ChatApiError).code).toBe('bad_request');
    expect((err as ChatApiError).body.issues?.[0]?.path).toBe('messages');
  });
});

describe('ts-rest client', () => {
  it('reads /health through the contract', async () => {
    const res = await createApiClient({ baseUrl }).health();
    expect(res.status).toBe(200);
    if (res.status !== 200) return;
    expect(res.body).toMatchObject({ status: 'ok', upstream: 'simulator' });
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('posts a non-streaming chat through the contract', async () => {
    const res = await createApiClient({ baseUrl }).chat({ body: { ...ask('hi'), stream: false } });
    expect(res.status).toBe(200);
    if (res.status === 200)
      expect(res.body.choices?.[0]?.message.content).toContain('Simulated answer');
  });
});

async function consume(stream: AsyncIterable<unknown>) {
  for await (const _ of stream) void _;
}
