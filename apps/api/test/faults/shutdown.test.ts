import { ErrorBody } from '@zai-chat/contract';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { splitStream, streamOf } from './helpers';

/**
 * The real process (server.ts) on SIGTERM: stops taking requests, lets streams in flight
 * finish within SHUTDOWN_DRAIN_MS, ends the rest with an error event, and exits 0.
 */
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

let running: ApiProcess | undefined;
afterEach(() => {
  if (running && running.child.exitCode === null && running.child.signalCode === null)
    running.child.kill('SIGKILL');
  running = undefined;
});

async function startApi(env: Record<string, string> = {}): Promise<ApiProcess> {
  running = await startApiProcess({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SIMULATOR_URL: sim.url,
    SIMULATOR_API_KEY: sim.apiKey,
    ...env,
  });
  return running;
}

/** Open a stream and resolve once its first bytes arrived; `rest` resolves with the whole body. */
async function openStream(baseUrl: string, content: string) {
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(streamOf(content)),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const first = await reader.read();
  let text = decoder.decode(first.value, { stream: true });
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { res, rest };
}

/** A new request after SIGTERM: refused at the socket, or answered 503 shutting_down. */
async function newRequestOutcome(baseUrl: string): Promise<string> {
  try {
    const res = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
      body: JSON.stringify(streamOf('late')),
    });
    const body = ErrorBody.parse(await res.json());
    return `${res.status} ${body.error.code}`;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? String(err);
  }
}

describe('graceful shutdown of the real process', () => {
  it(
    'SIGTERM mid-stream: the stream still completes, new requests are refused, exit 0',
    { timeout: 30_000 },
    async () => {
      const api = await startApi({ SHUTDOWN_DRAIN_MS: '15000' });
      const { res, rest } = await openStream(api.baseUrl, 'finish me [sim:slow ms=1500]');
      expect(res.status).toBe(200);
      api.child.kill('SIGTERM');
      await expect
        .poll(() => api.logs.some((l) => l.msg === 'draining'), { timeout: 5000 })
        .toBe(true);
      expect(['ECONNREFUSED', '503 shutting_down']).toContain(await newRequestOutcome(api.baseUrl));

      const { done, chunks, error } = await splitStream(await rest);
      expect(error).toBeUndefined();
      expect(done).toBe(true);
      expect(chunks.length).toBeGreaterThan(10);
      expect(await api.exited).toEqual({ code: 0, signal: null });
      expect(api.logs.find((l) => l.msg === 'drained')).toMatchObject({
        finished: 1,
        terminated: 0,
      });
      await sim.waitForOpenRequests(0, 3000);
    },
  );

  it(
    'drain deadline passed: open streams get a shutting_down error event, exit 0',
    { timeout: 30_000 },
    async () => {
      const api = await startApi({ SHUTDOWN_DRAIN_MS: '300' });
      const streaming = await openStream(api.baseUrl, 'too long [sim:slow ms=10000]');
      // A second client still waiting for the upstream's headers gets a plain HTTP 503.
      const waiting = fetch(`${api.baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(streamOf('slow start [sim:normal wait=10000]')),
      });
      await expect.poll(() => sim.openRequests(), { timeout: 5000 }).toBe(2);
      const signalledAt = performance.now();
      api.child.kill('SIGTERM');

      const { done, chunks, error } = await splitStream(await streaming.rest);
      expect(done).toBe(false);
      expect(chunks.length).toBeGreaterThan(0);
      expect(error?.error.code).toBe('shutting_down');
      expect(error?.error.retryAfter).toBe(1);
      const early = await waiting;
      expect(early.status).toBe(503);
      expect(early.headers.get('retry-after')).toBe('1');
      expect(ErrorBody.parse(await early.json()).error).toMatchObject({
        code: 'shutting_down',
        retryAfter: 1,
      });

      expect(await api.exited).toEqual({ code: 0, signal: null });
      // Nowhere near the 10 s the upstream wanted.
      expect(performance.now() - signalledAt).toBeLessThan(8000);
      expect(api.logs.find((l) => l.msg === 'drained')).toMatchObject({
        finished: 0,
        terminated: 2,
      });
      await sim.waitForOpenRequests(0, 3000);
    },
  );

  it('SIGTERM while idle exits 0 at once', { timeout: 30_000 }, async () => {
    const api = await startApi();
    const health = await fetch(`${api.baseUrl}/health`);
    expect(health.status).toBe(200);
    const signalledAt = performance.now();
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalledAt).toBeLessThan(5000);
  });
});
