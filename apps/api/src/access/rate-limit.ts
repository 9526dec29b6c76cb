import type { RequestHandler } from 'express';
import { type Store, rateLimit } from 'express-rate-limit';
import { sendError } from '../http/errors';
import type { CapReporter } from './cap-reporter';
import { identityOf } from './identify';

export interface RateLimitOptions {
  windowMs: number;
  /** Requests per window for an identity without a limit of its own. */
  max: number;
  reporter?: CapReporter;
  /** Shared store (Redis) so replicas count once; the library's memory store otherwise. */
  store?: Store;
}

/**
 * Requests per window per identity (`key:alice`, `proxy:bob@…`, else `ip:<address>` as the
 * trusted proxy chain reports it), never per raw X-Forwarded-For: a client cannot raise its
 * limit by forging headers. Runs after `identify`.
 */
export function limitRequests(options: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: (_req, res) => identityOf(res)?.limits?.rateLimit ?? options.max,
    keyGenerator: (req, res) => identityOf(res)?.id ?? `ip:${req.ip ?? 'unknown'}`,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(options.store ? { store: options.store } : {}),
    // The key is an identity, not an address: the library's IPv6 subnet check does not apply.
    // X-Forwarded-For is interpreted by Express (TRUST_PROXY), not by the client; the
    // library's checks would print stack traces outside the JSON logs.
    validate: { xForwardedForHeader: false, keyGeneratorIpFallback: false },
    handler: (req, res) => {
      options.reporter?.hit('rate_limit');
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : 1;
      sendError(req, res, 'rate_limited', { retryAfter });
    },
  });
}
