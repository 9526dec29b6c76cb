import type { RedisLink } from '../redis/link';
import { type KeyStore, StoredKey, findKey, indexByHash } from './keys';
import { KEYS_POLL_MS } from './file-key-store';

/**
 * Keys in Redis (with REDIS_URL): one hash, field = key name, value = the stored record (its
 * SHA-256, hint, limits). Every API process re-reads the hash every KEYS_POLL_MS (one HGETALL,
 * whatever the traffic), so `keys revoke` reaches every replica within a second and a request
 * never waits on Redis to be identified. While Redis is down the last set read stays in use.
 */
export class RedisKeyStore implements KeyStore {
  private byHash = new Map<string, StoredKey>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly hashKey: string;

  constructor(
    private readonly link: RedisLink,
    private readonly onError: (message: string) => void = () => undefined,
    watch = true,
  ) {
    this.hashKey = link.key('access-keys');
    if (watch) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), KEYS_POLL_MS);
      this.timer.unref();
    }
  }

  /** Read every key now; resolves once done (or failed: the previous set stays). */
  async refresh(): Promise<void> {
    try {
      this.byHash = indexByHash(await this.list());
    } catch (err) {
      if (this.link.up)
        this.onError(`access keys could not be read from Redis (${(err as Error).message})`);
    }
  }

  find(presented: string): StoredKey | undefined {
    return findKey(this.byHash, presented);
  }

  async list(): Promise<StoredKey[]> {
    const all = await this.link.run((c) => c.hgetall(this.hashKey));
    return Object.values(all).flatMap((json) => {
      const parsed = StoredKey.safeParse(JSON.parse(json));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async add(record: StoredKey): Promise<void> {
    const added = await this.link.run((c) =>
      c.hsetnx(this.hashKey, record.name, JSON.stringify(record)),
    );
    if (added === 0) throw new Error(`a key named "${record.name}" exists; revoke it first`);
    await this.refresh();
  }

  async revoke(name: string): Promise<boolean> {
    const removed = await this.link.run((c) => c.hdel(this.hashKey, name));
    await this.refresh();
    return removed > 0;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
