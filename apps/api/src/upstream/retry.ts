import { setTimeout as sleep } from 'node:timers/promises';
import type { UpstreamClient, UpstreamResponse } from './client';
import { UpstreamFailure } from './errors';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Exponential backoff with equal jitter: half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exp / 2 + (random() * exp) / 2;
}

/**
 * Send with retries for connection errors, rate limits (not balance) and 5xx. Only called
 * before anything reached the client, so a retry can never duplicate streamed text. A
 * Retry-After longer than the policy's longest delay is not waited out: the caller gets the
 * error (and its Retry-After) at once instead.
 */
export async function sendWithRetry(
  client: UpstreamClient,
  body: object,
  options: {
    signal: AbortSignal;
    requestId: string;
    policy: RetryPolicy;
    onRetry?: (failure: UpstreamFailure, attempt: number, delayMs: number) => void;
  },
): Promise<UpstreamResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.send(body, options);
    } catch (err) {
      if (!(err instanceof UpstreamFailure) || !err.retryable || options.signal.aborted) throw err;
      if (attempt >= options.policy.maxAttempts) throw err;
      if (err.retryAfterMs !== undefined && err.retryAfterMs > options.policy.maxDelayMs) throw err;
      const delay = Math.max(err.retryAfterMs ?? 0, backoffDelay(attempt, options.policy));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}
