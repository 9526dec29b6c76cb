import {
  ERRORS,
  type ErrorCode,
  HEADERS,
  type Usage,
  encodeErrorFrame,
  encodeReconnectFrame,
  encodeStoppedFrame,
} from '@zai-chat/contract';
import type { Request, Response } from 'express';
import type { Access } from '../access';
import { auditExchange, promptChars } from '../access/audit';
import { identityOf, ownerOf } from '../access/identify';
import type { Config } from '../config';
import { markLogged } from '../http/request-log';
import { SseBody } from '../http/sse-body';
import { SseWriter } from '../http/sse-writer';
import type { Lifecycle } from '../lifecycle';
import type { Metrics } from '../metrics';
import { newRelayProgress, relayStream } from '../relay';
import type { UpstreamClient, UpstreamResponse } from '../upstream/client';
import { UpstreamFailure } from '../upstream/errors';
import { UpstreamGaveUp, sendWithRetry } from '../upstream/retry';
import { parseCompletion } from './completion';
import { type ResponseCache, cacheKey, isCacheable } from '../cache/response-cache';
import { errorBody } from '../http/errors';
import {
  type AnswerStream,
  type FrameEncoder,
  type FrameSink,
  PLAIN_FRAMES,
  type StreamReader,
} from '../streams/answer';
import type { StreamHub } from '../streams/hub';
import { ownerKey } from '../streams/ids';
import { rateLimitVerdict } from '../limits/deferred-rate-limit';

export interface ChatDeps {
  config: Config;
  upstream: UpstreamClient;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Identity, budgets and stream caps (access/). */
  access: Access;
  /** Stream ids, resume and stop (resumable across replicas with Redis). */
  streams?: StreamHub;
  /** The response cache, when RESPONSE_CACHE_TTL_S and Redis are configured. */
  cache?: ResponseCache;
}

/**
 * Which surface runs the exchange: `api` (`/api/chat`) numbers its frames and can be resumed;
 * `v1` keeps OpenAI's wire format exactly (SDKs do not resume) and aborts when its client
 * leaves. The name also keeps their response-cache entries apart (their frames differ).
 */
export interface ExchangeSurface {
  name: 'api' | 'v1';
}
export const API_SURFACE: ExchangeSurface = { name: 'api' };
const V1_SURFACE: ExchangeSurface = { name: 'v1' };

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
/** The abort reason of an explicit Stop (`POST /api/chat/streams/:id/stop`). */
const STOPPED = Symbol('stopped');

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
  surface: ExchangeSurface = V1_SURFACE,
): Promise<ExchangeResult> {
  const { config, metrics, lifecycle, access } = deps;
  const started = performance.now();
  const identity = identityOf(res)?.id;
  /** Owns the stream and the cached answer (a key or a user; nobody in open mode). */
  const owner = ownerOf(res);
  // With Redis the rate limit was counted while the body was read; decided here, before
  // anything is asked of the upstream.
  const verdict = rateLimitVerdict(res);
  const retryAfter = verdict && (await verdict);
  if (retryAfter !== undefined) {
    access.reporter.hit('rate_limit');
    return { kind: 'failed', code: 'rate_limited', final: false, retryAfter };
  }
  const cached = body.stream ? await lookUpCache(req, res, body, deps, surface, owner) : {};
  if (cached.hit) return cached.hit;
  // An answer in flight holds a client connection and an upstream one: capped per identity
  // and per process (a cache replay above needs neither).
  const release = access.slots.acquire(identity ?? 'anonymous');
  if (typeof release === 'string') {
    access.reporter.hit(release === 'global' ? 'streams' : 'identity_streams');
    return { kind: 'failed', code: 'too_many_streams', final: false, retryAfter: 1 };
  }
  const exchange = new AbortController();
  const total = setTimeout(
    () =>
      exchange.abort(new UpstreamFailure('upstream_timeout', false, { cause: 'total deadline' })),
    config.timeouts.totalMs,
  );
  // Numbered, resumable (with Redis) and stoppable by id; kept for the cache on a miss.
  const answer =
    body.stream && deps.streams && (surface.name === 'api' || cached.key)
      ? deps.streams.open({
          identity: owner,
          numbered: surface.name === 'api',
          keep: cached.key !== undefined,
          onAbandoned: () => exchange.abort(CLIENT_GONE),
          onStopped: () => exchange.abort(STOPPED),
        })
      : undefined;
  let primary: StreamReader | undefined;
  let finishing: Promise<void> | undefined;
  const finishAnswer = () => (answer ? (finishing ??= deps.streams!.finish(answer)) : undefined);
  res.on('close', () => {
    if (res.writableFinished) return;
    // A resumable answer outlives its first reader for RESUME_GRACE_MS (a reload comes back).
    if (answer && primary && answer.release(primary)) return;
    exchange.abort(CLIENT_GONE);
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
  /** `status` when this exchange's response is a success; a refusal is logged when sent. */
  const done = (outcome: string, status?: number) => {
    clearTimeout(total);
    release();
    const durationMs = performance.now() - started;
    if (body.stream) {
      metrics.activeStreams.dec();
      metrics.streamDuration.observe(durationMs / 1000);
    }
    // Tokens count against the identity's budget whether the answer completed or not.
    if (status !== undefined) markLogged(res);
    const tokens = auditExchange(req.log, {
      identity: identity ?? 'anonymous',
      model,
      usage: progress.usage,
      promptChars: promptChars(body.messages),
      relayedChars: progress.textChars,
      durationMs,
      outcome,
      status: status ?? 0,
      stream: body.stream,
    });
    if (identity) {
      access.budgets
        .record(identity, tokens)
        .catch((err: unknown) => req.log.warn({ err }, 'recording tokens failed'));
    }
    markFinished();
  };
  const forget = () => void finishAnswer();

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
    forget();
    const result = failedBeforeStream(req, err, exchange.signal.reason, metrics);
    done(outcomeOf(result, exchange.signal.reason));
    return result;
  }

  if (!body.stream) {
    try {
      const json = parseCompletion(await upstream.text());
      progress.usage = usageOf(json);
      done('done', 200);
      return { kind: 'json', body: json, model };
    } catch (err) {
      const result = failedBeforeStream(req, err, exchange.signal.reason, metrics);
      done(outcomeOf(result, exchange.signal.reason));
      return result;
    }
  }

  const relay = async (out: Response) => {
    const writer = new SseWriter(out, config.keepAliveMs, exchange.signal);
    writer.open(answer && surface.name === 'api' ? streamHeaders(answer) : {});
    // With an AnswerStream the relay writes to it, and it to every reader attached.
    let sink: FrameSink = writer;
    let frames: FrameEncoder = PLAIN_FRAMES;
    if (answer) {
      primary = responseReader(writer);
      answer.setPrimary(primary);
      sink = answer;
      frames = answer;
    }
    let outcome = 'done';
    try {
      await relayStream(upstream.body, sink, {
        idleTimeoutMs: config.timeouts.idleMs,
        abortUpstream: upstream.abort,
        onFirstChunk: () => metrics.timeToFirstChunk.observe((performance.now() - started) / 1000),
        frames,
        progress,
      });
      if (cached.key && answer?.frames) {
        void deps.cache!.put(cached.key, { model, frames: answer.frames });
      }
    } catch (err) {
      if (exchange.signal.reason === CLIENT_GONE) {
        outcome = 'client_gone';
        // Its grace period passed: whoever comes back gets the frames so far and this end.
        if (answer?.resumable) {
          sink.end(frames.raw(encodeErrorFrame(errorBody('stream_interrupted', String(req.id)))));
        }
        return;
      }
      if (exchange.signal.reason === STOPPED && answer) {
        outcome = 'stopped';
        sink.end(frames.raw(encodeStoppedFrame({ streamId: answer.id })));
        return;
      }
      const failure = toFailure(err, exchange.signal.reason);
      outcome = failure.code;
      logFailure(req, failure, err);
      metrics.upstreamErrors.inc({ code: failure.code });
      sink.end(frames.raw(errorFrame(failure.code, String(req.id), retryAfterSeconds(failure))));
    } finally {
      writer.stop();
      answer?.end();
      await finishAnswer();
      done(outcome, 200);
    }
  };
  return { kind: 'stream', body: new SseBody((out) => relay(out as Response)), model };
}

function outcomeOf(result: ExchangeResult, abortReason: unknown): string {
  if (abortReason === CLIENT_GONE) return 'client_gone';
  if (abortReason === STOPPED) return 'stopped';
  return result.kind === 'failed' ? result.code : 'done';
}

function usageOf(completion: object): Usage | undefined {
  const usage = (completion as { usage?: unknown }).usage;
  return typeof usage === 'object' && usage !== null ? (usage as Usage) : undefined;
}

/** The response headers of a streamed `/api/chat` answer: how to resume or stop it. */
function streamHeaders(answer: AnswerStream): Record<string, string> {
  return {
    [HEADERS.streamId]: answer.id,
    [HEADERS.streamResumable]: String(answer.resumable),
  };
}

/** The client that asked, as a reader of its answer. */
function responseReader(writer: SseWriter): StreamReader {
  return {
    send: (text) => writer.write(text),
    end: (text) => writer.end(text),
    reconnect: (streamId, lastId) =>
      writer.end(encodeReconnectFrame({ streamId, lastEventId: String(lastId) })),
  };
}

/**
 * A cacheable request answered before is replayed from the response cache; otherwise its
 * key is returned so the complete answer can be stored.
 */
async function lookUpCache(
  req: Request,
  res: Response,
  body: UpstreamBody,
  deps: ChatDeps,
  surface: ExchangeSurface,
  identity: string | undefined,
): Promise<{ key?: string; hit?: ExchangeResult }> {
  const cache = deps.cache;
  if (!cache?.available) return {};
  if (!isCacheable(body, req.get(HEADERS.cacheOptIn) === 'allow')) return {};
  const key = cacheKey(surface.name, ownerKey(identity), body);
  const hit = await cache.get(key);
  deps.metrics.responseCache.inc({ result: hit ? 'hit' : 'miss' });
  res.setHeader(HEADERS.cache, hit ? 'hit' : 'miss');
  if (!hit) return { key };
  req.log.info({ frames: hit.frames.length }, 'answered from the response cache');
  const replay = async (out: Response) => {
    const writer = new SseWriter(out, deps.config.keepAliveMs);
    writer.open();
    writer.end(hit.frames.join(''));
  };
  return {
    hit: { kind: 'stream', body: new SseBody((out) => replay(out as Response)), model: hit.model },
  };
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
