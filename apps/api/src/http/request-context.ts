import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuse a caller's (or nginx's) request id when it is harmless to log, else make one. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * `Server-Timing: app;dur=…` on every response: the time this API itself added, i.e. total
 * time until headers minus the time spent waiting for the upstream (`res.locals.upstreamMs`).
 */
export const serverTiming: RequestHandler = (_req, res, next) => {
  const start = performance.now();
  onHeaders(res, function () {
    const upstreamMs = (res.locals.upstreamMs as number | undefined) ?? 0;
    const appMs = Math.max(0, performance.now() - start - upstreamMs);
    const parts = [`app;dur=${appMs.toFixed(2)}`];
    if (upstreamMs) parts.push(`upstream;dur=${upstreamMs.toFixed(2)}`);
    this.setHeader('Server-Timing', parts.join(', '));
  });
  next();
};
