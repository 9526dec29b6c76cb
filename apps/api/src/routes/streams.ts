import type { AppRouteOptions } from '@ts-rest/express';
import { HEADERS, type contract } from '@zai-chat/contract';
import type { RequestHandler } from 'express';
import { ownerOf } from '../access/identify';
import { apiError } from '../http/errors';
import { SseBody } from '../http/sse-body';
import type { Lifecycle } from '../lifecycle';
import type { Metrics } from '../metrics';
import type { StreamHub } from '../streams/hub';

export interface StreamRouteDeps {
  streams: StreamHub;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

/**
 * GET /api/chat/streams/:streamId: the frames after `Last-Event-ID`, then the live ones, from
 * whichever replica produces (or stored) the answer. Unknown, expired and other identities'
 * ids are all the same 404: an id's existence is never revealed to someone else.
 */
export function resumeRoute(
  deps: StreamRouteDeps,
  middleware: RequestHandler[],
): AppRouteOptions<typeof contract.resumeChat> {
  return {
    middleware,
    handler: async ({ params, headers, req, res }) => {
      // A replica going away takes no new readers: the typed client retries elsewhere.
      if (deps.lifecycle.draining) return apiError(req, res, 'shutting_down', { retryAfter: 1 });
      const after = Number(headers[HEADERS.lastEventId] ?? 0);
      const identity = ownerOf(res);
      const outcome = await deps.streams.resume(params.streamId, identity, after, String(req.id));
      deps.metrics.streamResumes.inc({
        outcome: outcome.kind === 'stream' ? outcome.from : outcome.kind,
      });
      if (outcome.kind === 'not_found') return apiError(req, res, 'stream_not_found');
      if (outcome.kind === 'lost') return apiError(req, res, 'stream_lost');
      const { response } = outcome;
      const body = new SseBody(async (out) =>
        response.bind(out, { [HEADERS.streamId]: params.streamId }),
      );
      // ts-rest pipes a Stream body to the response; its types only know the JSON body.
      return { status: 200, body: body as unknown as string };
    },
  };
}

/** POST /api/chat/streams/:streamId/stop: abort the answer's upstream now, wherever it runs. */
export function stopRoute(
  deps: StreamRouteDeps,
  middleware: RequestHandler[],
): AppRouteOptions<typeof contract.stopChat> {
  return {
    middleware,
    handler: async ({ params, req, res }) => {
      const identity = ownerOf(res);
      const outcome = await deps.streams.stop(params.streamId, identity);
      if (outcome === 'not_found') return apiError(req, res, 'stream_not_found');
      return { status: 200, body: { streamId: params.streamId, stopped: outcome === 'stopped' } };
    },
  };
}
