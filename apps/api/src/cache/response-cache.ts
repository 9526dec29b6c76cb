import { createHash } from 'node:crypto';
import type { RedisLink } from '../redis/link';

/**
 * The response cache (opt-in, RESPONSE_CACHE_TTL_S > 0, needs Redis): a streamed request
 * already answered in full is replayed as the same frames, without calling the upstream.
 *
 * - Eligible: `temperature: 0` (the answer is meant to be repeatable), without tools or
 *   images (their answers depend on more than the text: tool results, image bytes); or any
 *   request carrying `X-Response-Cache: allow`.
 * - Key: a SHA-256 of the owner and the normalised request (model, messages, parameters, in a
 *   canonical key order; the per-request `request_id` and the `stream` flag left out), so no
 *   message text is stored in clear in a key. Scoped to the owner: a hit never tells one user
 *   what another asked.
 * - Only complete answers (ending in `[DONE]`) are stored, at most MAX_STORED_BYTES.
 */
export const MAX_STORED_BYTES = 2 * 1024 * 1024;

export interface CachedAnswer {
  model: string;
  frames: string[];
}

/** Fields that differ per request without changing the answer. */
const VOLATILE_FIELDS = new Set(['request_id', 'stream']);

export function isCacheable(body: Record<string, unknown>, optedIn: boolean): boolean {
  if (optedIn) return true;
  if (body.temperature !== 0) return false;
  return !hasTools(body) && !hasImages(body);
}

function hasTools(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

function hasImages(body: Record<string, unknown>): boolean {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  return messages.some(
    (m) =>
      Array.isArray(m?.content) &&
      (m.content as { type?: unknown }[]).some((part) => part?.type === 'image_url'),
  );
}

/** JSON with object keys sorted at every level: the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The cache key of a request: surface (`api`, `v1`: their frames differ), owner, body. */
export function cacheKey(surface: string, owner: string, body: Record<string, unknown>): string {
  const kept = Object.fromEntries(Object.entries(body).filter(([k]) => !VOLATILE_FIELDS.has(k)));
  return createHash('sha256')
    .update(`${surface}\0${owner}\0${canonicalJson(kept)}`)
    .digest('base64url');
}

export class ResponseCache {
  constructor(
    private readonly link: RedisLink,
    private readonly ttlSeconds: number,
  ) {}

  /** Usable right now (a Redis outage turns the cache off, never the chat). */
  get available(): boolean {
    return this.link.up;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    try {
      const text = await this.link.run((c) => c.get(this.link.key('cache', key)));
      if (!text) return undefined;
      const value = JSON.parse(text) as Partial<CachedAnswer>;
      return typeof value.model === 'string' && Array.isArray(value.frames)
        ? { model: value.model, frames: value.frames }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Store a complete answer; resolves with whether it was stored. */
  async put(key: string, answer: CachedAnswer): Promise<boolean> {
    const text = JSON.stringify(answer);
    if (text.length > MAX_STORED_BYTES) return false;
    try {
      await this.link.run((c) => c.set(this.link.key('cache', key), text, 'EX', this.ttlSeconds));
      return true;
    } catch {
      return false;
    }
  }
}
