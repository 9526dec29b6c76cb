import { createHash, randomBytes } from 'node:crypto';

/** 128 random bits, base64url (22 characters): unguessable, so an id alone reveals nothing. */
export const newStreamId = (): string => randomBytes(16).toString('base64url');

/**
 * Who owns a stream, as stored with it (in Redis too): a hash, so neither an access key id nor
 * a proxy user name sits in Redis in clear. `undefined` is the anonymous identity (open mode).
 */
export function ownerKey(identity: string | undefined): string {
  const name = identity === undefined ? 'anonymous' : `id:${identity}`;
  return createHash('sha256').update(name).digest('base64url').slice(0, 22);
}
