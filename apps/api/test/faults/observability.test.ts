import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { metricValue, postChat, streamOf } from './helpers';

/** /metrics tells an operator what happened; every response says how long the API itself took. */
let stack: Stack;
let baseUrl: string;
let metricsUrl: string;
beforeAll(async () => {
  stack = await startStack({
    UPSTREAM_MAX_ATTEMPTS: '2',
    UPSTREAM_IDLE_TIMEOUT_MS: '300',
    UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300',
  });
  baseUrl = await stack.listen();
  metricsUrl = await stack.listenMetrics();
});
afterAll(() => stack.close());

async function scrape(): Promise<string> {
  const res = await fetch(`${metricsUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const requestsOf = (text: string, route: string, status: number, method = 'POST') =>
  metricValue(text, 'zai_chat_http_requests_total', { route, method, status: String(status) }) ?? 0;

/** `app;dur=1.23, upstream;dur=4.56` → { app: 1.23, upstream: 4.56 }. */
function serverTiming(header: string | null): Record<string, number> {
  expect(header).toBeTruthy();
  return Object.fromEntries(
    header!.split(',').map((part) => {
      const [name, dur] = part.trim().split(';');
      expect(dur).toMatch(/^dur=\d+(\.\d+)?$/);
      return [name!, Number(dur!.slice(4))];
    }),
  );
}

describe('GET /metrics', () => {
  it('counts requests by route and status, with bounded labels', async () => {
    const before = await scrape();
    await postChat(baseUrl, streamOf('ok'));
    await postChat(baseUrl, { messages: [] });
    await postChat(baseUrl, '{"broken', {});
    for (let i = 0; i < 20; i++) await fetch(`${baseUrl}/random/${i}/path-${Math.random()}`);
    await fetch(`${baseUrl}/health`);
    await expect
      .poll(
        async () =>
          requestsOf(await scrape(), 'unmatched', 404, 'GET') -
          requestsOf(before, 'unmatched', 404, 'GET'),
      )
      .toBe(20);
    const after = await scrape();
    expect(requestsOf(after, '/api/chat', 200) - requestsOf(before, '/api/chat', 200)).toBe(1);
    // Both the schema failure and the JSON parse failure count under the chat route.
    expect(requestsOf(after, '/api/chat', 400) - requestsOf(before, '/api/chat', 400)).toBe(2);
    expect(requestsOf(after, '/health', 200, 'GET')).toBeGreaterThanOrEqual(1);
    // Raw URLs never become label values.
    expect(after).not.toContain('/random/');
  });

  it('shows open streams in the active streams gauge, and 0 once they end', async () => {
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(streamOf('long [sim:slow ms=3000]')),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    expect(metricValue(await scrape(), 'zai_chat_active_streams')).toBe(1);
    controller.abort();
    await expect.poll(async () => metricValue(await scrape(), 'zai_chat_active_streams')).toBe(0);
  });

  it('has time-to-first-chunk and stream duration histograms that grow with each stream', async () => {
    const before = await scrape();
    await postChat(baseUrl, streamOf('timed'));
    const after = await scrape();
    for (const name of [
      'zai_chat_time_to_first_chunk_seconds',
      'zai_chat_stream_duration_seconds',
    ]) {
      expect(after).toContain(`# TYPE ${name} histogram`);
      expect(
        (metricValue(after, `${name}_count`) ?? 0) - (metricValue(before, `${name}_count`) ?? 0),
      ).toBe(1);
      expect(metricValue(after, `${name}_bucket`, { le: '+Inf' })).toBe(
        metricValue(after, `${name}_count`),
      );
      expect(metricValue(after, `${name}_sum`)).toBeGreaterThan(0);
    }
  });

  it('counts upstream errors by our code, and retries', async () => {
    const before = await scrape();
    await postChat(baseUrl, streamOf('[sim:server-error]')); // retried once, then upstream_unavailable
    await postChat(baseUrl, streamOf('[sim:balance]'));
    await postChat(baseUrl, streamOf('[sim:malformed]'));
    await postChat(baseUrl, streamOf('[sim:stall]'));
    await postChat(baseUrl, streamOf('[sim:auth]'));
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);
    for (const code of [
      'upstream_unavailable',
      'insufficient_balance',
      'upstream_protocol',
      'upstream_timeout',
      'upstream_auth',
    ]) {
      expect(delta('zai_chat_upstream_errors_total', { code }), code).toBe(1);
    }
    expect(delta('zai_chat_upstream_retries_total', { code: 'upstream_unavailable' })).toBe(1);
  });
});

describe('Server-Timing and X-Request-Id on every response', () => {
  it.each([
    ['200 health', () => fetch(`${baseUrl}/health`), 200],
    ['404', () => fetch(`${baseUrl}/nowhere`), 404],
    ['400', () => postChat(baseUrl, { messages: 'no' }).then((r) => r.res), 400],
    [
      '415',
      () =>
        postChat(baseUrl, 'hi', { headers: { 'Content-Type': 'text/plain' } }).then((r) => r.res),
      415,
    ],
    [
      '502 after the upstream failed',
      () => postChat(baseUrl, streamOf('[sim:auth]')).then((r) => r.res),
      502,
    ],
    ['stream', () => postChat(baseUrl, streamOf('hi')).then((r) => r.res), 200],
    [
      'completion',
      () => postChat(baseUrl, { ...streamOf('hi'), stream: false }).then((r) => r.res),
      200,
    ],
  ])('%s', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const timing = serverTiming(res.headers.get('server-timing'));
    expect(timing.app).toBeGreaterThanOrEqual(0);
    if (!res.bodyUsed) await res.body?.cancel();
  });

  it("separates the upstream's wait from the API's own time", async () => {
    const { res } = await postChat(baseUrl, streamOf('[sim:normal wait=250]'));
    expect(res.status).toBe(200);
    const timing = serverTiming(res.headers.get('server-timing'));
    expect(timing.upstream).toBeGreaterThanOrEqual(200);
    // The API's own share excludes the 250 ms it spent waiting.
    expect(timing.app!).toBeLessThan(timing.upstream!);
    expect(timing.app!).toBeLessThan(200);
  });
});
