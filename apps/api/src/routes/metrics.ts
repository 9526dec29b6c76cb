import type { Express, RequestHandler } from 'express';
import type { Metrics } from '../metrics';

export function mountMetrics(app: Express, metrics: Metrics): void {
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });
}

/** Count every response by the route it matched (not the raw URL, which would explode labels). */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.on('close', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.requests.inc({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  };
}
