import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Accept what Z.AI accepts: the key itself as Bearer, or an HS256 JWT signed with the key's
 * secret whose payload names the key id and an `exp` in milliseconds.
 */
export function isAuthorized(
  header: string | undefined,
  apiKey: string,
  now = Date.now(),
): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const token = header.slice('Bearer '.length).trim();
  if (safeEqual(token, apiKey)) return true;
  return verifyJwt(token, apiKey, now);
}

function verifyJwt(token: string, apiKey: string, now: number): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  const [id, secret] = apiKey.split('.');
  if (!id || !secret) return false;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(signature, expected)) return false;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    return (
      head.alg === 'HS256' &&
      head.sign_type === 'SIGN' &&
      claims.api_key === id &&
      typeof claims.exp === 'number' &&
      claims.exp > now &&
      typeof claims.timestamp === 'number'
    );
  } catch {
    return false;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
