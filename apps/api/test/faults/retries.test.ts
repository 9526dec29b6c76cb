import { ErrorBody } from '@zai-chat/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/upstream/retry';
import { type Stack, startStack } from '../stack';
import { metricValue, postChat, splitStream, streamOf } from './helpers';

/**
 * Retries happen only before anything reached the client, only for retryable failures, at
 * most UPSTREAM_MAX_ATTEMPTS times, and never wait out a Retry-After longer than the policy.
 */
let stack: Stack;
let baseUrl: string;
let metricsUrl: string;
beforeAll(async () => {
  // RETRY_MAX_MS above the simulator's 1 s Retry-After, so a rate limit is waited out.
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '3', UPSTREAM_RETRY_MAX_MS: '1500' });
  baseUrl = await stack.listen();
  metricsUrl = await stack.listenMetrics();
});
afterAll(() => stack.close());

/** A unique message per test: the simulator's `-once` memory is keyed by message text. */
let n = 0;
const unique = (directive: string) => `question ${++n} ${directive}`;

async function retriesCounted(code: string): Promise<number> {
  const res = await fetch(`${metricsUrl}/metrics`);
  return metricValue(await res.text(), 'zai_chat_upstream_retries_total', { code }) ?? 0;
}

/** Attempts the simulator received for one message text. */
function attemptsFor(text: string): number {
  return stack.sim.requests.filter((r) => {
    const messages = r.body.messages as { content: string }[];
    return messages.at(-1)?.content === text;
  }).length;
}

describe('upstream retries', () => {
  it('a 500 once is retried and the stream completes', async () => {
    const before = await retriesCounted('upstream_unavailable');
    const text = unique('[sim:server-error-once]');
    const { res, text: body } = await postChat(baseUrl, streamOf(text));
    expect(res.status).toBe(200);
    const { done, chunks } = await splitStream(body);
    expect(done).toBe(true);
    expect(chunks.length).toBeGreaterThan(0);
    expect(attemptsFor(text)).toBe(2);
    expect(await retriesCounted('upstream_unavailable')).toBe(before + 1);
  });

  it('a 429 rate limit once is retried after its Retry-After and succeeds', async () => {
    const before = await retriesCounted('rate_limited');
    const text = unique('[sim:rate-limit-once]');
    const started = performance.now();
    const { res, text: body } = await postChat(baseUrl, streamOf(text));
    expect(res.status).toBe(200);
    expect((await splitStream(body)).done).toBe(true);
    expect(attemptsFor(text)).toBe(2);
    // The simulator said Retry-After: 1; jittered backoff alone would be ≤ 25 ms here.
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(await retriesCounted('rate_limited')).toBe(before + 1);
  });

  it('an out-of-balance 429 is not retried and maps to insufficient_balance', async () => {
    const text = unique('[sim:balance]');
    const { res, text: body } = await postChat(baseUrl, streamOf(text));
    expect(res.status).toBe(503);
    const error = ErrorBody.parse(JSON.parse(body));
    expect(error.error.code).toBe('insufficient_balance');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(attemptsFor(text)).toBe(1);
  });

  it('a persistent 500 stops at UPSTREAM_MAX_ATTEMPTS and answers 502', async () => {
    const before = await retriesCounted('upstream_unavailable');
    const text = unique('[sim:server-error]');
    const { res, text: body } = await postChat(baseUrl, streamOf(text));
    expect(res.status).toBe(502);
    expect(ErrorBody.parse(JSON.parse(body)).error.code).toBe('upstream_unavailable');
    expect(attemptsFor(text)).toBe(3);
    expect(await retriesCounted('upstream_unavailable')).toBe(before + 2);
  });

  it('no retry once streaming began: a mid-stream drop is an error event after 1 attempt', async () => {
    const text = unique('[sim:drop]');
    const { res, text: body } = await postChat(baseUrl, streamOf(text));
    expect(res.status).toBe(200);
    const { chunks, error, done } = await splitStream(body);
    expect(chunks.length).toBeGreaterThan(0);
    expect(done).toBe(false);
    expect(error?.error.code).toBe('upstream_error');
    expect(attemptsFor(text)).toBe(1);
  });
});

describe('Retry-After longer than the policy allows', () => {
  let short: Stack;
  let shortUrl: string;
  beforeAll(async () => {
    short = await startStack({ UPSTREAM_MAX_ATTEMPTS: '3', UPSTREAM_RETRY_MAX_MS: '200' });
    shortUrl = await short.listen();
  });
  afterAll(() => short.close());

  it('is handed to the client at once as 429 with a Retry-After header', async () => {
    const started = performance.now();
    const { res, text } = await postChat(shortUrl, streamOf('now [sim:rate-limit]'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = ErrorBody.parse(JSON.parse(text));
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.retryAfter).toBe(1);
    expect(short.sim.totalRequests()).toBe(1);
    // Not waited out: well under the upstream's 1 s.
    expect(performance.now() - started).toBeLessThan(900);
  });
});

describe('backoffDelay', () => {
  it('stays within [exp/2, exp] of the capped exponential, for any attempt and policy', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const policy = { maxAttempts: 10, baseDelayMs, maxDelayMs };
          const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
          const delay = backoffDelay(attempt, policy, () => r);
          expect(delay).toBeGreaterThanOrEqual(exp / 2);
          expect(delay).toBeLessThanOrEqual(exp);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('doubles per attempt until the cap, and the jitter uses the whole upper half', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(backoffDelay(3, policy, () => 0.999999)).toBeCloseTo(400, 3);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });
});
