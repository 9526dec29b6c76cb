import { ChatCompletion, contract, encodeErrorFrame } from '@zai-chat/contract';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { errorBody, sendError } from '../http/errors';
import { SseWriter } from '../http/sse-writer';
import { describeIssues, validateChatRequest } from '../http/validation';
import type { Lifecycle } from '../lifecycle';
import type { Metrics } from '../metrics';
import { relayStream } from '../relay';
import type { UpstreamClient, UpstreamResponse } from '../upstream/client';
import { UpstreamFailure } from '../upstream/errors';
import { sendWithRetry } from '../upstream/retry';

export interface ChatRouteDeps {
  config: Config;
  upstream: UpstreamClient;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

/** The abort reason when the browser goes away: nothing is left to tell, so nothing is sent. */
const CLIENT_GONE = Symbol('client gone');

/** POST /api/chat: validate, call the upstream (with retries), then stream or answer JSON. */
export function chatRoute(deps: ChatRouteDeps): RequestHandler {
  const { config, metrics, lifecycle } = deps;

  return async (req, res) => {
    const validated = validateChatRequest(contract.chat.body, req.body, config.limits);
    if (!validated.ok) {
      return sendError(req, res, validated.code, {
        message: describeIssues(validated.issues),
        issues: validated.issues,
      });
    }
    const request = validated.request;
    if (config.logContent) req.log.debug({ messages: request.messages }, 'chat request content');
    const upstreamBody = { ...request, model: request.model ?? config.upstream.defaultModel };

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
    if (request.stream) metrics.activeStreams.inc();

    let writer: SseWriter | undefined;
    try {
      const upstream = await sendWithRetry(deps.upstream, upstreamBody, {
        signal: exchange.signal,
        requestId: String(req.id),
        policy: config.retry,
        onRetry: (failure, attempt, delayMs) => {
          metrics.retries.inc({ code: failure.code });
          req.log.warn(
            { code: failure.code, ...failure.detail, attempt, delayMs },
            'retrying upstream',
          );
        },
      });
      res.locals.upstreamMs = performance.now() - started;
      if (!request.stream) return await answerJson(upstream, res);

      writer = new SseWriter(res, config.keepAliveMs, exchange.signal);
      writer.open();
      const result = await relayStream(upstream.body, writer, {
        idleTimeoutMs: config.timeouts.idleMs,
        abortUpstream: upstream.abort,
        onFirstChunk: () => metrics.timeToFirstChunk.observe((performance.now() - started) / 1000),
      });
      req.log.info({ chunks: result.chunks, finishReason: result.finishReason }, 'stream complete');
    } catch (err) {
      if (exchange.signal.reason === CLIENT_GONE) {
        req.log.info(
          { phase: writer ? 'streaming' : 'waiting for upstream' },
          'client disconnected',
        );
        return;
      }
      const failure = toFailure(err, exchange.signal.reason);
      if (failure.code === 'internal') req.log.error({ err }, 'chat failed');
      else req.log.warn({ code: failure.code, ...failure.detail }, 'upstream failed');
      metrics.upstreamErrors.inc({ code: failure.code });
      reportFailure(req, res, writer, failure);
    } finally {
      clearTimeout(total);
      writer?.stop();
      if (request.stream) {
        metrics.activeStreams.dec();
        metrics.streamDuration.observe((performance.now() - started) / 1000);
      }
      markFinished();
    }
  };
}

async function answerJson(upstream: UpstreamResponse, res: Response): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await upstream.text());
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new UpstreamFailure('upstream_protocol', false, { cause: 'body is not JSON' });
    throw err;
  }
  if (!ChatCompletion.safeParse(json).success) {
    throw new UpstreamFailure('upstream_protocol', false, {
      cause: 'body is not a chat completion',
    });
  }
  res.json(json);
}

/** Before the stream began: an HTTP error. After: an SSE error event, then close. */
function reportFailure(
  req: Request,
  res: Response,
  writer: SseWriter | undefined,
  failure: UpstreamFailure,
) {
  const retryAfter =
    failure.retryAfterMs !== undefined ? Math.ceil(failure.retryAfterMs / 1000) : undefined;
  const extra = retryAfter !== undefined ? { retryAfter } : {};
  if (writer) return writer.end(encodeErrorFrame(errorBody(failure.code, String(req.id), extra)));
  if (res.headersSent) return void res.end();
  sendError(req, res, failure.code, extra);
}

function toFailure(err: unknown, abortReason: unknown): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  if (abortReason instanceof UpstreamFailure) return abortReason;
  return new UpstreamFailure('internal', false, {
    cause: err instanceof Error ? err.message : String(err),
  });
}
