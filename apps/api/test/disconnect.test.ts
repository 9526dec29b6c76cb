import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

/** A client that goes away must take the upstream request with it. */
let stack: Stack;
let baseUrl: string;
beforeAll(async () => {
  stack = await startStack();
  baseUrl = await stack.listen();
});
afterAll(() => stack.close());

async function openStream(content: string, signal: AbortSignal, stream = true) {
  return fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content }], stream }),
    signal,
  });
}

describe('client disconnect', () => {
  it('mid-stream: the simulator sees its request closed within 1 s', async () => {
    const controller = new AbortController();
    const res = await openStream('[sim:slow ms=10000]', controller.signal);
    const reader = res.body!.getReader();
    await reader.read(); // the stream is flowing
    expect(stack.sim.openRequests()).toBe(1);
    const abortedAt = performance.now();
    controller.abort();
    await stack.sim.waitForOpenRequests(0, 1000);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
  });

  it('before the upstream answered at all: closed within 1 s', async () => {
    const controller = new AbortController();
    // A non-streaming stall: the simulator never sends headers.
    const pending = openStream('[sim:stall]', controller.signal, false).catch(() => undefined);
    await expect.poll(() => stack.sim.openRequests()).toBe(1);
    controller.abort();
    await pending;
    await stack.sim.waitForOpenRequests(0, 1000);
  });

  it('the API counts no active streams afterwards', async () => {
    await expect
      .poll(async () => (await stack.metrics.activeStreams.get()).values[0]?.value)
      .toBe(0);
  });
});
