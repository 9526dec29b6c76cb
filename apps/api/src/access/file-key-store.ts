import { existsSync, readFileSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { type KeyStore, KeysFile, type StoredKey, findKey, indexByHash } from './keys';

/** How often the file is checked for changes: a revoked key stops working within a second. */
export const KEYS_POLL_MS = 300;

/**
 * Keys in a JSON file (`ACCESS_KEYS_FILE`), mode 0600, written atomically. Every API process
 * checks the file every KEYS_POLL_MS (a stat: works on bind mounts and network filesystems,
 * where change events do not) and reloads it when it changed, so `keys revoke` takes effect
 * within a second without a restart. A file that fails to parse
 * keeps the last good set and says so in the log, rather than locking everyone out or in.
 */
export class FileKeyStore implements KeyStore {
  private byHash = new Map<string, StoredKey>();
  private seen = '';
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly onError: (message: string) => void = () => undefined,
    watch = true,
  ) {
    this.reloadIfChanged();
    if (watch) {
      this.timer = setInterval(() => this.reloadIfChanged(), KEYS_POLL_MS);
      this.timer.unref();
    }
  }

  /** Reload when the file's identity (inode, size, mtime) changed since the last look. */
  private reloadIfChanged(): void {
    let now = 'absent';
    if (existsSync(this.path)) {
      const st = statSync(this.path);
      now = `${st.ino}:${st.size}:${st.mtimeMs}`;
    }
    if (now === this.seen) return;
    this.seen = now;
    this.reload();
  }

  private read(): StoredKey[] {
    if (!existsSync(this.path)) return [];
    return KeysFile.parse(JSON.parse(readFileSync(this.path, 'utf8'))).keys;
  }

  private reload(): void {
    try {
      this.byHash = indexByHash(this.read());
    } catch (err) {
      this.onError(
        `ACCESS_KEYS_FILE could not be read (${(err as Error).message}); keeping the previous keys`,
      );
    }
  }

  find(presented: string): StoredKey | undefined {
    return findKey(this.byHash, presented);
  }

  async list(): Promise<StoredKey[]> {
    return this.read();
  }

  async add(record: StoredKey): Promise<void> {
    const keys = this.read();
    if (keys.some((k) => k.name === record.name)) {
      throw new Error(`a key named "${record.name}" exists; revoke it first`);
    }
    await this.write([...keys, record]);
  }

  async revoke(name: string): Promise<boolean> {
    const keys = this.read();
    const kept = keys.filter((k) => k.name !== name);
    if (kept.length === keys.length) return false;
    await this.write(kept);
    return true;
  }

  private async write(keys: StoredKey[]): Promise<void> {
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
    this.reload();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
