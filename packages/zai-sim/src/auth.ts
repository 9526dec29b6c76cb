import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UpstreamError } from './business-codes';
import { badKeyError, expiredTokenError, missingKeyError } from './errors';

/**
 * JWT clock tolerance. zhipuai-sdk-nodejs-v4 writes `exp` in microseconds as
 * `now_µs + 180_000`, so read as µs its token lives 180 ms; a loaded test machine can take
 * longer than that between signing and arriving. JWT libraries allow this much skew too.
 */
const CLOCK_TOLERANCE_MS = 10_000;
/** A time above this is in microseconds (ms timestamps stay below it until the year 5138). */
const MICROSECONDS_ABOVE = 1e14;

export type AuthResult = { ok: true } | { ok: false; error: UpstreamError };

/**
 * Answer auth like Z.AI: no header → 1001, a wrong key or token → 1002, a JWT signed with the
 * key's secret whose `exp` has passed → 1003. The key (or an HS256 JWT signed with its secret,
 * naming its id, times in ms or µs) is accepted with or without the `Bearer ` scheme: the
 * official Node SDK sends its JWT bare.
 */
export function checkAuth(
  header: string | undefined,
  apiKey: string,
  now = Date.now(),
): AuthResult {
  const token = (header ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, error: missingKeyError };
  if (safeEqual(token, apiKey)) return { ok: true };
  const jwt = verifyJwt(token, apiKey, now);
  if (jwt === 'valid') return { ok: true };
  return { ok: false, error: jwt === 'expired' ? expiredTokenError : badKeyError };
}

/** Kept for callers of the boolean form. */
export function isAuthorized(
  header: string | undefined,
  apiKey: string,
  now = Date.now(),
): boolean {
  return checkAuth(header, apiKey, now).ok;
}

function verifyJwt(token: string, apiKey: string, now: number): 'valid' | 'expired' | 'invalid' {
  const parts = token.split('.');
  if (parts.length !== 3) return 'invalid';
  const [header, payload, signature] = parts as [string, string, string];
  const [id, secret] = apiKey.split('.');
  if (!id || !secret) return 'invalid';
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(signature, expected)) return 'invalid';
  const head = decodeJson(header);
  const claims = decodeJson(payload);
  if (
    head?.alg !== 'HS256' ||
    head.sign_type !== 'SIGN' ||
    claims?.api_key !== id ||
    typeof claims.exp !== 'number' ||
    typeof claims.timestamp !== 'number'
  ) {
    return 'invalid';
  }
  const expMs = claims.exp > MICROSECONDS_ABOVE ? claims.exp / 1000 : claims.exp;
  return expMs + CLOCK_TOLERANCE_MS > now ? 'valid' : 'expired';
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString());
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HS256 token the way Z.AI documents it (header `{"alg":"HS256","sign_type":"SIGN"}`,
 * payload `{api_key, exp, timestamp}`), signed with the key's secret. For tests that need
 * expired, µs-stamped or otherwise unusual tokens; `claims` may override `api_key`.
 */
export function signZaiJwt(
  apiKey: string,
  claims: { exp: number; timestamp: number; api_key?: string },
  header: Record<string, unknown> = { alg: 'HS256', sign_type: 'SIGN' },
): string {
  const [id = '', secret = ''] = apiKey.split('.');
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${encode(header)}.${encode({ api_key: id, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
