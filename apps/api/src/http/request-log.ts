import { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import { requestId } from './request-context';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id (X-Request-Id): on every log line about it. */
    id: string;
    /** A logger whose lines carry `req: {id, method, url, remoteAddress}`. */
    log: Logger;
  }
}

const logged = new WeakSet<object>();

const BASE = Symbol('base logger');
const CHILD = Symbol('request logger');
type Logged = IncomingMessage & { [BASE]?: Logger; [CHILD]?: Logger };

// `req.log`, made on first use. A getter on the prototype, defined once: defining a property
// on every request object cost more than the rest of this middleware.
Object.defineProperty(IncomingMessage.prototype, 'log', {
  configurable: true,
  get(this: Logged): Logger {
    const base = this[BASE];
    if (!base) throw new Error('req.log used before the request logger ran');
    return (this[CHILD] ??= base.child({
      req: {
        id: this.id,
        method: this.method,
        url: (this as IncomingMessage & { originalUrl?: string }).originalUrl ?? this.url,
        remoteAddress: this.socket.remoteAddress,
      },
    }));
  },
});

/** Mark that this response's outcome was already logged (the exchange's audit line). */
export function markLogged(res: object): void {
  logged.add(res);
}

/**
 * Request ids and request logging in one cheap middleware (it replaced pino-http, whose
 * per-request child logger, serializers and hooks were the largest single per-request cost in
 * the benchmark's profile). `req.log` is created only when something logs; each request gets
 * one line when it ends (method, path, status, duration: never headers or bodies), unless its
 * exchange already wrote its audit line, which says all of that and more.
 */
export function requestLog(logger: Logger): RequestHandler {
  return function requestLogger(req, res, next) {
    const id = requestId(req);
    req.id = id;
    (req as Logged)[BASE] = logger;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    res.once('close', () => {
      if (logged.has(res)) return;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      req.log[level](
        {
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request completed',
      );
    });
    next();
  };
}
