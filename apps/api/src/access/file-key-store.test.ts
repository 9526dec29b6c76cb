import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileKeyStore, KEYS_POLL_MS } from './file-key-store';
import { issueKey } from './keys';

afterEach(() => vi.useRealTimers());

const fileWith = (...records: object[]) => {
  const path = join(mkdtempSync(join(tmpdir(), 'keystore-')), 'keys.json');
  writeFileSync(path, JSON.stringify({ keys: records }));
  return path;
};

describe('FileKeyStore', () => {
  it('finds a stored key by the key itself, never by its hash or a look-alike', () => {
    const { key, record } = issueKey('alice');
    const store = new FileKeyStore(fileWith(record), undefined, false);
    expect(store.find(key)?.name).toBe('alice');
    expect(store.find(record.hash)).toBeUndefined();
    expect(store.find(`${key}x`)).toBeUndefined();
    expect(store.find(key.slice(3))).toBeUndefined();
  });

  it('sees a revocation written by another process within one poll', async () => {
    vi.useFakeTimers();
    const alice = issueKey('alice');
    const bob = issueKey('bob');
    const path = fileWith(alice.record, bob.record);
    const store = new FileKeyStore(path, undefined, true);
    expect(store.find(bob.key)?.name).toBe('bob');
    // Another process (the CLI) rewrites the file.
    await new FileKeyStore(path, undefined, false).revoke('bob');
    vi.advanceTimersByTime(KEYS_POLL_MS);
    expect(store.find(bob.key)).toBeUndefined();
    expect(store.find(alice.key)?.name).toBe('alice');
    store.close();
  });

  it('a broken file keeps the last good keys and says so', () => {
    vi.useFakeTimers();
    const alice = issueKey('alice');
    const path = fileWith(alice.record);
    const errors: string[] = [];
    const store = new FileKeyStore(path, (m) => errors.push(m), true);
    writeFileSync(path, '{ not json');
    vi.advanceTimersByTime(KEYS_POLL_MS);
    expect(store.find(alice.key)?.name).toBe('alice');
    expect(errors[0]).toMatch(/could not be read/);
    store.close();
  });
});
