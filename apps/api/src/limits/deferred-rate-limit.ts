import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { SharedCounter } from './shared-counter';

/**
 * The per-client chat rate limit, counted once across replicas (Redis), without putting a
 * Redis round trip in front of every chat: the middleware starts the count and lets the
 * request go on (body parsing, validation), and the exchange awaits the verdict before it
 * calls the upstream (`rateLimitVerdict`), so nothing that costs money happens first. On a
 * loaded machine that round trip was most of what Redis added to the time to first chunk.
 *
 * A client already over the limit (as this replica last saw it) is refused at once, before
 * its body is read, as express-rate-limit does. Same key (the identity: a client key, a
 * proxy user, else the client IP), same fixed window, same draft-7 `RateLimit` headers as the
 * in-process limiter used without Redis.
 */
export interface DeferredRateLimitOptions {
  counter: SharedCounter;
  windowMs: number;
  /** Requests per window: a number, or per request (e.g. a client key's own limit). */
  limit: number | ((req: Request, res: Response) => number);
  /** Who is counted; the client IP (IPv6 by /56) when absent. */
  key?: (req: Request, res: Response) => string;
  /** Key namespace in the counter. */
  prefix: string;
  /** The refusal when the client is known to be over the limit already (before the body). */
  refuse(req: Request, res: Response, retryAfterSeconds: number): void;
}

const VERDICT = Symbol('rate limit verdict');
type Locals = { [VERDICT]?: Promise<number | undefined> };

export function deferredRateLimit(options: DeferredRateLimitOptions): RequestHandler {
  const { counter, windowMs } = options;
  const limitOf = typeof options.limit === 'number' ? () => options.limit as number : options.limit;
  const keyOf = options.key ?? ((req: Request) => ipKeyGenerator(req.ip ?? ''));
  /** The last count this replica saw per key, to refuse known offenders before their body. */
  const seen = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, s] of seen) if (s.resetAt <= now) seen.delete(key);
  }, windowMs);
  sweep.unref();

  return (req, res, next) => {
    const key = options.prefix + keyOf(req, res);
    const limit = limitOf(req, res);
    const now = Date.now();
    const last = seen.get(key);
    if (last && last.resetAt > now && last.count >= limit) {
      // Still counted, so the window's total stays true across replicas.
      void counter.incr(key, windowMs);
      setHeaders(res, limit, 0, last.resetAt, windowMs);
      return options.refuse(req, res, secondsUntil(last.resetAt));
    }
    (res.locals as Locals)[VERDICT] = counter.incr(key, windowMs).then(({ count, resetAt }) => {
      seen.set(key, { count, resetAt });
      setHeaders(res, limit, Math.max(0, limit - count), resetAt, windowMs);
      return count > limit ? secondsUntil(resetAt) : undefined;
    });
    next();
  };
}

/**
 * Undefined when this request was not counted by a deferred limiter (no Redis: the
 * in-process limiter already decided); otherwise resolves with Retry-After seconds when the
 * client is over the limit, undefined when it may go on.
 */
export function rateLimitVerdict(res: Response): Promise<number | undefined> | undefined {
  return (res.locals as Locals)[VERDICT];
}

const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - Date.now()) / 1000));

function setHeaders(
  res: Response,
  limit: number,
  remaining: number,
  resetAt: number,
  windowMs: number,
): void {
  if (res.headersSent) return;
  res.setHeader('RateLimit-Policy', `${limit};w=${Math.ceil(windowMs / 1000)}`);
  res.setHeader(
    'RateLimit',
    `limit=${limit}, remaining=${remaining}, reset=${Math.max(0, Math.ceil((resetAt - Date.now()) / 1000))}`,
  );
}
