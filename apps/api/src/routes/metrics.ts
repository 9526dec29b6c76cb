import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics';

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
