import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per app so tests and replicas never share counters. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'zai_chat_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    activeStreams: new Gauge({
      name: 'zai_chat_active_streams',
      help: 'Chat streams currently open',
      registers: [registry],
    }),
    timeToFirstChunk: new Histogram({
      name: 'zai_chat_time_to_first_chunk_seconds',
      help: 'From request received to first chunk relayed',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    streamDuration: new Histogram({
      name: 'zai_chat_stream_duration_seconds',
      help: 'From request received to stream end',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'zai_chat_upstream_errors_total',
      help: 'Upstream failures by our error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'zai_chat_model_fallbacks_total',
      help: 'Requests moved to a fallback model after Z.AI answered 1312 (model overloaded)',
      labelNames: ['from', 'to'] as const,
      registers: [registry],
    }),
    capHits: new Counter({
      name: 'zai_chat_cap_hits_total',
      help: 'Requests or connections refused by a cap (connections, streams, rate limit, budget)',
      labelNames: ['cap'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'zai_chat_upstream_retries_total',
      help: 'Upstream requests retried',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    responseCache: new Counter({
      name: 'zai_chat_response_cache_total',
      help: 'Cacheable streamed requests by outcome: hit (replayed, no upstream call) or miss',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    streamResumes: new Counter({
      name: 'zai_chat_stream_resumes_total',
      help: 'GET /api/chat/streams/:id by outcome (local, remote, stored, not_found, lost)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
