import { ERRORS, type ErrorCode, type Usage } from '@zai-chat/contract';
import type { Request, Response } from 'express';
import type { Access } from '../access';
import { auditExchange, promptChars } from '../access/audit';
import { identityOf } from '../access/identify';
import type { Config } from '../config';
import { SseBody } from '../http/sse-body';
import { SseWriter } from '../http/sse-writer';
import type { Lifecycle } from '../lifecycle';
import type { Metrics } from '../metrics';
import { newRelayProgress, relayStream } from '../relay';
import type { UpstreamClient, UpstreamResponse } from '../upstream/client';
import { UpstreamFailure } from '../upstream/errors';
import { UpstreamGaveUp, sendWithRetry } from '../upstream/retry';
import { parseCompletion } from './completion';

export interface ChatDeps {
  config: Config;
  upstream: UpstreamClient;
  metrics: Metrics;
  lifecycle: Lifecycle;
  access: Access;
}

/** How a surface (`/api/chat` or `/v1`) words the frame that ends a stream with an error. */
export type ErrorFrame = (code: ErrorCode, requestId: string, retryAfter?: number) => string;

/** The body sent to Z.AI: the caller's request with the model resolved. */
export type UpstreamBody = { model: string; stream: boolean } & Record<string, unknown>;

export type ExchangeResult =
  | {
      kind: 'failed';
      code: ErrorCode;
      /** Retrying the same request cannot help now (final error, or the API already retried). */
      final: boolean;
      retryAfter?: number;
    }
  | { kind: 'json'; body: object; model: string }
  | { kind: 'stream'; body: SseBody; model: string };

/** The abort reason when the client goes away: nothing is left to tell, so nothing is sent. */
const CLIENT_GONE = Symbol('client gone');

/**
 * One chat exchange, from the validated request to the end of the answer: the upstream call
 * (retries, fallback models, timeouts), then either the JSON answer or a stream relayed frame
 * by frame. Shared by `/api/chat` and `/v1/chat/completions`; only the error framing differs.
 * Owns the exchange's deadline, its abort when the client leaves, its place in the drain on
 * shutdown and its metrics.
 */
export async function runExchange(
  req: Request,
  res: Response,
  body: UpstreamBody,
  deps: ChatDeps,
  errorFrame: ErrorFrame,
): Promise<ExchangeResult> {
  const { config, metrics, lifecycle, access } = deps;
  const identity = identityOf(res)?.id ?? 'anonymous';
  const release = access.slots.acquire(identity);
  if (typeof release === 'string') {
    access.reporter.hit(release === 'global' ? 'streams' : 'identity_streams');
    return { kind: 'failed', code: 'too_many_streams', final: false, retryAfter: 1 };
  }
  const started = performance.now();
  const exchange = new AbortController();
  const total = setTimeout(
    () =>
      exchange.abort(new UpstreamFailure('upstream_timeout', false, { cause: 'total deadline' })),
    config.timeouts.totalMs,
  );
  res.on('close', () => {
    if (!res.writableFinished) exchange.abort(CLIENT_GONE);
  });
  let markFinished!: () => void;
  const finished = new Promise<void>((resolve) => (markFinished = resolve));
  lifecycle.track({
    // Retry-After 1 s, like a request refused while draining: another replica can take it.
    terminate: () =>
      exchange.abort(
        new UpstreamFailure('shutting_down', false, { cause: 'drain deadline' }, 1000),
      ),
    finished,
  });
  if (body.stream) metrics.activeStreams.inc();
  const progress = newRelayProgress();
  let model = body.model;
  const done = (outcome: string) => {
    clearTimeout(total);
    release();
    const durationMs = performance.now() - started;
    if (body.stream) {
      metrics.activeStreams.dec();
      metrics.streamDuration.observe(durationMs / 1000);
    }
    // Tokens count against the identity's budget whether the answer completed or not.
    const tokens = auditExchange(req.log, {
      identity,
      model,
      usage: progress.usage,
      promptChars: promptChars(body.messages),
      relayedChars: progress.textChars,
      durationMs,
      outcome,
      stream: body.stream,
    });
    access.budgets
      .record(identity, tokens)
      .catch((err: unknown) => req.log.warn({ err }, 'recording tokens failed'));
    markFinished();
  };

  let upstream: UpstreamResponse;
  try {
    const sent = await sendWithRetry(deps.upstream, body, {
      signal: exchange.signal,
      requestId: String(req.id),
      policy: config.retry,
      fallbackModels: config.upstream.fallbackModels,
      onRetry: (failure, attempt, delayMs) => {
        metrics.retries.inc({ code: failure.code });
        req.log.warn(
          { code: failure.code, ...failure.detail, attempt, delayMs },
          'retrying upstream',
        );
      },
      onFallback: (from, to) => {
        metrics.fallbacks.inc({ from, to });
        req.log.warn({ from, to }, 'model overloaded, falling back');
      },
    });
    upstream = sent.response;
    model = sent.model;
    res.locals.upstreamMs = performance.now() - started;
  } catch (err) {
    const result = failedBeforeStream(req, err, exchange.signal.reason, metrics);
    done(outcomeOf(result, exchange.signal.reason));
    return result;
  }

  if (!body.stream) {
    try {
      const json = parseCompletion(await upstream.text());
      progress.usage = usageOf(json);
      done('done');
      return { kind: 'json', body: json, model };
    } catch (err) {
      const result = failedBeforeStream(req, err, exchange.signal.reason, metrics);
      done(outcomeOf(result, exchange.signal.reason));
      return result;
    }
  }

  const relay = async (out: Response) => {
    const writer = new SseWriter(out, config.keepAliveMs, exchange.signal);
    writer.open();
    let outcome = 'done';
    try {
      await relayStream(upstream.body, writer, {
        idleTimeoutMs: config.timeouts.idleMs,
        abortUpstream: upstream.abort,
        onFirstChunk: () => metrics.timeToFirstChunk.observe((performance.now() - started) / 1000),
        progress,
      });
    } catch (err) {
      if (exchange.signal.reason === CLIENT_GONE) {
        outcome = 'client_gone';
        return;
      }
      const failure = toFailure(err, exchange.signal.reason);
      outcome = failure.code;
      logFailure(req, failure, err);
      metrics.upstreamErrors.inc({ code: failure.code });
      writer.end(errorFrame(failure.code, String(req.id), retryAfterSeconds(failure)));
    } finally {
      writer.stop();
      done(outcome);
    }
  };
  return { kind: 'stream', body: new SseBody((out) => relay(out as Response)), model };
}

function outcomeOf(result: ExchangeResult, abortReason: unknown): string {
  if (abortReason === CLIENT_GONE) return 'client_gone';
  return result.kind === 'failed' ? result.code : 'done';
}

function usageOf(completion: object): Usage | undefined {
  const usage = (completion as { usage?: unknown }).usage;
  return typeof usage === 'object' && usage !== null ? (usage as Usage) : undefined;
}

function failedBeforeStream(
  req: Request,
  err: unknown,
  abortReason: unknown,
  metrics: Metrics,
): ExchangeResult {
  if (abortReason === CLIENT_GONE) {
    // Nobody is listening; the route still needs a value to return.
    return { kind: 'failed', code: 'stream_interrupted', final: true };
  }
  const gaveUp = err instanceof UpstreamGaveUp ? err : undefined;
  const failure = toFailure(gaveUp?.failure ?? err, abortReason);
  logFailure(req, failure, err);
  metrics.upstreamErrors.inc({ code: failure.code });
  return {
    kind: 'failed',
    code: failure.code,
    final: isFinal(failure, gaveUp),
    retryAfter: retryAfterSeconds(failure),
  };
}

/** Whether a client's own retry of this request could help (see `openAiStatus` in the contract). */
function isFinal(failure: UpstreamFailure, gaveUp: UpstreamGaveUp | undefined): boolean {
  const advice = ERRORS[failure.code].retry;
  if (advice === 'never') return true;
  if (advice === 'elsewhere') return false;
  return !failure.retryable || !!gaveUp?.retried;
}

function logFailure(req: Request, failure: UpstreamFailure, err: unknown): void {
  if (failure.code === 'internal') req.log.error({ err }, 'chat failed');
  else req.log.warn({ code: failure.code, ...failure.detail }, 'upstream failed');
}

const retryAfterSeconds = (failure: UpstreamFailure) =>
  failure.retryAfterMs !== undefined ? Math.ceil(failure.retryAfterMs / 1000) : undefined;

function toFailure(err: unknown, abortReason: unknown): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  if (abortReason instanceof UpstreamFailure) return abortReason;
  return new UpstreamFailure('internal', false, {
    cause: err instanceof Error ? err.message : String(err),
  });
}
