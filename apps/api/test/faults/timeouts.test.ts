import { ErrorBody } from '@zai-chat/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { postChat, splitStream, streamOf } from './helpers';

/** Each of the three upstream deadlines ends the exchange with a typed upstream_timeout. */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function listenWith(env: Record<string, string>) {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '1', ...env });
  return { stack, baseUrl: await stack.listen() };
}

describe('upstream timeouts', () => {
  it('first byte: no headers in time → 504 upstream_timeout, upstream request closed', async () => {
    const { stack, baseUrl } = await listenWith({ UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '200' });
    const started = performance.now();
    const { res, text } = await postChat(baseUrl, streamOf('hi [sim:normal wait=5000]'));
    expect(res.status).toBe(504);
    const body = ErrorBody.parse(JSON.parse(text));
    expect(body.error.code).toBe('upstream_timeout');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    // Well before the simulator would have answered: the deadline, not the upstream, ended it.
    expect(performance.now() - started).toBeLessThan(4000);
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('first byte timeout is retried like any retryable failure', async () => {
    const { stack, baseUrl } = await listenWith({
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '150',
      UPSTREAM_MAX_ATTEMPTS: '2',
    });
    const { res } = await postChat(baseUrl, streamOf('retry me [sim:normal wait=3000]'));
    expect(res.status).toBe(504);
    expect(stack.sim.totalRequests()).toBe(2);
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('idle: chunks, then silence → SSE error upstream_timeout after valid chunks, then close', async () => {
    const { stack, baseUrl } = await listenWith({ UPSTREAM_IDLE_TIMEOUT_MS: '300' });
    const { res, text } = await postChat(baseUrl, streamOf('hi [sim:stall]'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { chunks, error, done } = await splitStream(text);
    expect(chunks.length).toBeGreaterThan(0);
    expect(done).toBe(false);
    expect(error?.error.code).toBe('upstream_timeout');
    expect(error?.error.requestId).toBe(res.headers.get('x-request-id'));
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('idle: a long silence before the first chunk also trips the idle timeout', async () => {
    const { stack, baseUrl } = await listenWith({ UPSTREAM_IDLE_TIMEOUT_MS: '300' });
    const { res, text } = await postChat(baseUrl, streamOf('hi [sim:normal gap=5000]'));
    expect(res.status).toBe(200);
    const { chunks, error } = await splitStream(text);
    expect(chunks).toHaveLength(0);
    expect(error?.error.code).toBe('upstream_timeout');
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('total deadline: a stream that keeps flowing past it → SSE error upstream_timeout', async () => {
    const { stack, baseUrl } = await listenWith({
      UPSTREAM_TOTAL_TIMEOUT_MS: '600',
      UPSTREAM_IDLE_TIMEOUT_MS: '5000',
    });
    const started = performance.now();
    const { res, text } = await postChat(baseUrl, streamOf('hi [sim:slow ms=5000]'));
    expect(res.status).toBe(200);
    const { chunks, error, done } = await splitStream(text);
    expect(chunks.length).toBeGreaterThan(0);
    expect(done).toBe(false);
    expect(error?.error.code).toBe('upstream_timeout');
    expect(performance.now() - started).toBeLessThan(4500);
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('total deadline before headers → 504 even when the first-byte timeout is longer', async () => {
    const { stack, baseUrl } = await listenWith({
      UPSTREAM_TOTAL_TIMEOUT_MS: '300',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '10000',
    });
    const { res, text } = await postChat(baseUrl, streamOf('hi [sim:normal wait=5000]'));
    expect(res.status).toBe(504);
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe('upstream_timeout');
    await stack.sim.waitForOpenRequests(0, 3000);
  });
});
