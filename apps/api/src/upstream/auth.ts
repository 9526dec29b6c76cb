import { SignJWT } from 'jose';
import type { ZaiAuthMode } from '../config';

/** Z.AI's JWT mode: tokens live 3 minutes and are renewed 30 s before they expire. */
const TOKEN_TTL_MS = 3 * 60_000;
const RENEW_BEFORE_MS = 30_000;

export type AuthorizationProvider = () => Promise<string>;

/**
 * The `Authorization` header value for Z.AI: the key as Bearer, or (ZAI_AUTH=jwt) an HS256
 * token signed with the key's secret, header `{alg, sign_type:"SIGN"}`, times in milliseconds.
 */
export function createAuthorization(
  apiKey: string,
  mode: ZaiAuthMode,
  now: () => number = Date.now,
): AuthorizationProvider {
  if (mode === 'bearer') {
    const header = `Bearer ${apiKey}`;
    return () => Promise.resolve(header);
  }
  const [id, secret] = apiKey.split('.') as [string, string];
  const key = new TextEncoder().encode(secret);
  let cached: { header: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const sign = async (): Promise<string> => {
    const issuedAt = now();
    const expiresAt = issuedAt + TOKEN_TTL_MS;
    const token = await new SignJWT({ api_key: id, exp: expiresAt, timestamp: issuedAt })
      .setProtectedHeader({ alg: 'HS256', sign_type: 'SIGN' })
      .sign(key);
    cached = { header: `Bearer ${token}`, expiresAt };
    return cached.header;
  };

  return () => {
    if (cached && cached.expiresAt - now() > RENEW_BEFORE_MS) return Promise.resolve(cached.header);
    // One signing at a time even under a burst of requests.
    pending ??= sign().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
