import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Client access keys: `zc_` + 32 random bytes (base64url). Only a SHA-256 of each key is ever
 * stored; a key this random needs no slow hash (there is nothing to guess from a dictionary),
 * and a fast one keeps the per-request check cheap.
 */
export const KEY_PREFIX = 'zc_';

export function newAccessKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Per-key limits that override the deployment's defaults. */
export const KeyLimits = z
  .object({
    tokensPerDay: z.number().int().nonnegative().optional(),
    /** Requests per RATE_LIMIT_WINDOW_MS (a minute by default). */
    rateLimit: z.number().int().positive().optional(),
  })
  .strict();

export const StoredKey = z
  .object({
    name: z.string().regex(/^[\w.@+-]{1,64}$/),
    /** hex SHA-256 of the key. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The first characters, to recognise a key in a list without storing it. */
    hint: z.string().max(12),
    createdAt: z.string(),
    limits: KeyLimits.optional(),
  })
  .strict();

export const KeysFile = z.object({ keys: z.array(StoredKey) }).strict();

export type KeyLimits = z.infer<typeof KeyLimits>;
export type StoredKey = z.infer<typeof StoredKey>;

/** Where keys live: a JSON file (ACCESS_KEYS_FILE) or Redis; both behind this interface. */
export interface KeyStore {
  /** The key whose hash matches, compared in constant time; undefined if none. */
  find(presented: string): StoredKey | undefined;
  list(): Promise<StoredKey[]>;
  add(key: StoredKey): Promise<void>;
  /** Returns false when no key has that name. */
  revoke(name: string): Promise<boolean>;
  close(): void;
}

/** Look a presented key up among stored ones: by hash, confirmed with a constant-time compare. */
export function findKey(
  byHash: ReadonlyMap<string, StoredKey>,
  presented: string,
): StoredKey | undefined {
  if (!presented.startsWith(KEY_PREFIX)) return undefined;
  const hash = hashKey(presented);
  const stored = byHash.get(hash);
  if (!stored) return undefined;
  const a = Buffer.from(stored.hash, 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? stored : undefined;
}

export function indexByHash(keys: readonly StoredKey[]): Map<string, StoredKey> {
  return new Map(keys.map((k) => [k.hash, k]));
}

/** A new key and the record that stores it; the key itself is shown once, then forgotten. */
export function issueKey(name: string, limits?: KeyLimits): { key: string; record: StoredKey } {
  const key = newAccessKey();
  const record = StoredKey.parse({
    name,
    hash: hashKey(key),
    hint: key.slice(0, 7),
    createdAt: new Date().toISOString(),
    ...(limits && Object.keys(limits).length ? { limits } : {}),
  });
  return { key, record };
}
