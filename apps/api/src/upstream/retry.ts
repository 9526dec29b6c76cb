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

export interface Sent {
  response: UpstreamResponse;
  /** The model that answered: the requested one, or a fallback after Z.AI's 1312. */
  model: string;
  /** Upstream requests made, fallbacks included. */
  requests: number;
}

/** What the caller learns when every attempt failed: the last failure, and how hard we tried. */
export class UpstreamGaveUp extends Error {
  override name = 'UpstreamGaveUp';
  constructor(
    readonly failure: UpstreamFailure,
    /** Attempts on the same model (fallbacks not counted). */
    readonly attempts: number,
    readonly requests: number,
  ) {
    super(failure.code);
  }
  /** The API already tried again (a retry or a fallback model): clients should not add theirs. */
  get retried(): boolean {
    return this.requests > 1;
  }
}

/** The next model to try after `model` was overloaded: the one after it in the list, else the first untried. */
export function nextFallback(
  model: string,
  fallbacks: readonly string[],
  tried: ReadonlySet<string>,
): string | undefined {
  const after = fallbacks.indexOf(model);
  return [...fallbacks.slice(after + 1), ...fallbacks].find((m) => !tried.has(m));
}

/**
 * Send with retries for connection errors, rate limits (not balance or quotas) and 5xx. Only
 * called before anything reached the client, so a retry can never duplicate streamed text. A
 * Retry-After longer than the policy's longest delay is not waited out: the caller gets the
 * error (and its Retry-After) at once instead. Z.AI's 1312 ("model overloaded, try another")
 * switches at once to the next of `fallbackModels`, each tried once; without fallbacks it is
 * retried like any overload.
 */
export async function sendWithRetry(
  client: UpstreamClient,
  body: { model: string } & Record<string, unknown>,
  options: {
    signal: AbortSignal;
    requestId: string;
    policy: RetryPolicy;
    fallbackModels?: readonly string[];
    onRetry?: (failure: UpstreamFailure, attempt: number, delayMs: number) => void;
    onFallback?: (from: string, to: string) => void;
  },
): Promise<Sent> {
  let model = body.model;
  const tried = new Set([model]);
  let requests = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      requests++;
      const response = await client.send(model === body.model ? body : { ...body, model }, options);
      return { response, model, requests };
    } catch (err) {
      if (!(err instanceof UpstreamFailure) || options.signal.aborted) throw err;
      const fallback =
        err.modelOverloaded && options.fallbackModels?.length
          ? nextFallback(model, options.fallbackModels, tried)
          : undefined;
      if (fallback) {
        options.onFallback?.(model, fallback);
        tried.add(fallback);
        model = fallback;
        attempt = 0;
        continue;
      }
      if (!err.retryable || attempt >= options.policy.maxAttempts) {
        throw new UpstreamGaveUp(err, attempt, requests);
      }
      if (err.retryAfterMs !== undefined && err.retryAfterMs > options.policy.maxDelayMs) {
        throw new UpstreamGaveUp(err, attempt, requests);
      }
      const delay = Math.max(err.retryAfterMs ?? 0, backoffDelay(attempt, options.policy));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}
