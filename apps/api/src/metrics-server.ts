import { timingSafeEqual } from 'node:crypto';
import { type RequestListener, type Server, createServer } from 'node:http';
import type { Metrics } from './metrics';

/**
 * /metrics on a port of its own (METRICS_PORT), never on the public one: what it shows (Node
 * version, memory, handles, traffic) is for the operator, and scraping it must not compete
 * with chats for the public port's connection caps. Optionally behind a bearer token.
 */
export function metricsListener(metrics: Metrics, token?: string): RequestListener {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('unauthorized\n');
        return;
      }
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  };
}

export async function startMetricsServer(
  metrics: Metrics,
  options: { port: number; host: string; token?: string },
): Promise<Server> {
  const server = createServer(metricsListener(metrics, options.token));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
