import type { AccessMode } from '@zai-chat/contract';
import type { Request, RequestHandler, Response } from 'express';
import { sendError } from '../http/errors';
import type { KeyLimits, KeyStore } from './keys';

/** Who is asking: decided before anything costs money, read by budgets, limits and streams. */
export interface Identity {
  /** `key:<name>`, `proxy:<user>` or `ip:<address>`: the unit budgets and limits count in. */
  id: string;
  limits?: KeyLimits;
}

/** The identity `identify` resolved for this response (undefined before it ran). */
export function identityOf(res: Response): Identity | undefined {
  return res.locals.identity as Identity | undefined;
}

/**
 * Who owns what this request starts (a resumable stream, a cached answer): a client key or a
 * signed-in user; nobody in `open` mode. An address is no owner: a phone that moves from
 * Wi-Fi to mobile data must still resume its answer, whose unguessable id is what guards it.
 */
export function ownerOf(res: Response): string | undefined {
  const identity = identityOf(res);
  return identity && !identity.id.startsWith('ip:') ? identity.id : undefined;
}

const MAX_PROXY_IDENTITY = 256;
/** Printable, no spaces or controls: an identity ends up in logs and Redis keys. */
const SAFE_IDENTITY = /^[\x21-\x7e]+$/;

export interface IdentifyOptions {
  mode: AccessMode;
  keys?: KeyStore;
  /** Header an auth proxy sets (lower case), e.g. `x-forwarded-email`. */
  proxyHeader: string;
}

/**
 * Sets `res.locals.identity`, or answers the contract's 401 `unauthorized`:
 * - `keys`: `Authorization: Bearer zc_…` must be a stored key;
 * - `proxy`: the identity header counts only on a connection from a trusted proxy address
 *   (TRUST_PROXY), so a client that reaches the API directly cannot claim to be anyone;
 * - `open`: the client address as the trusted proxy chain reports it.
 */
export function identify(options: IdentifyOptions): RequestHandler {
  return (req, res, next) => {
    const identity = resolveIdentity(req, options);
    if (!identity) return sendError(req, res, 'unauthorized');
    res.locals.identity = identity;
    next();
  };
}

export function resolveIdentity(req: Request, options: IdentifyOptions): Identity | undefined {
  switch (options.mode) {
    case 'open':
      return { id: `ip:${req.ip ?? 'unknown'}` };
    case 'keys': {
      const presented = bearer(req.headers.authorization);
      const stored = presented ? options.keys?.find(presented) : undefined;
      return stored ? { id: `key:${stored.name}`, limits: stored.limits } : undefined;
    }
    case 'proxy': {
      if (!fromTrustedProxy(req)) return undefined;
      const value = req.headers[options.proxyHeader];
      const user = (Array.isArray(value) ? value[0] : value)?.trim();
      if (!user || user.length > MAX_PROXY_IDENTITY || !SAFE_IDENTITY.test(user)) return undefined;
      return { id: `proxy:${user}` };
    }
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Is the peer of this connection one of the proxies TRUST_PROXY names? */
function fromTrustedProxy(req: Request): boolean {
  const trust = req.app.get('trust proxy fn') as ((addr: string, i: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress;
  return !!trust && !!peer && trust(peer, 0);
}
