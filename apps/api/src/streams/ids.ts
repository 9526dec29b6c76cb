import { createHash, randomFillSync } from 'node:crypto';

/** Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** 128 random bits, base64url (22 characters): unguessable, so an id alone reveals nothing. */
export function newStreamId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString('base64url', used, used + 16);
  used += 16;
  return id;
}

/**
 * Who owns a stream, as stored with it (in Redis too): a hash, so neither an access key id nor
 * a proxy user name sits in Redis in clear. `undefined` is the anonymous identity (open mode).
 */
export function ownerKey(identity: string | undefined): string {
  const name = identity === undefined ? 'anonymous' : `id:${identity}`;
  return createHash('sha256').update(name).digest('base64url').slice(0, 22);
}
