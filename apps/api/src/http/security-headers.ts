import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers, computed once: helmet stays the source of what to send (its defaults),
 * but the dozen small middlewares it chains are run a single time at start against a recording
 * response, and every request then gets the recorded list. Per request this is one loop of
 * setHeader instead of twelve middleware calls (a measurable share of a chat's CPU).
 */
export function securityHeaders(): RequestHandler {
  const recorded: [string, string][] = [];
  const removed: string[] = [];
  const probe = {
    setHeader: (name: string, value: string) => void recorded.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
    getHeader: () => undefined,
  };
  let finished = false;
  helmet()({} as never, probe as never, () => (finished = true));
  if (!finished) throw new Error('helmet did not run synchronously');
  return (_req, res, next) => {
    for (const [name, value] of recorded) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
