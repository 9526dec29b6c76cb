import { parseArgs } from 'node:util';
import { loadKeysConfig } from '../config';
import { loadEnvFile } from '../env-file';
import { FileKeyStore } from '../access/file-key-store';
import { RedisKeyStore } from '../access/redis-key-store';
import { createLogger } from '../logger';
import { RedisLink } from '../redis/link';
import { type KeyLimits, type KeyStore, issueKey } from '../access/keys';

/**
 * `keys create <name> [--tokens-per-day N] [--rate-limit N]`, `keys list`, `keys revoke <name>`.
 * Keys are kept as hashes in ACCESS_KEYS_FILE; `create` prints the new key once, alone on its
 * last line (copy it then: it cannot be shown again). API processes pick changes up within a
 * second, without a restart.
 */
const USAGE = `usage:
  keys create <name> [--tokens-per-day N] [--rate-limit N]
  keys list
  keys revoke <name>`;

export async function runKeysCli(
  argv: string[],
  store: KeyStore,
  out = console.log,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'tokens-per-day': { type: 'string' }, 'rate-limit': { type: 'string' } },
  });
  const [command, name] = positionals;
  switch (command) {
    case 'create': {
      if (!name) break;
      const limits: KeyLimits = {};
      if (values['tokens-per-day'] !== undefined)
        limits.tokensPerDay = Number(values['tokens-per-day']);
      if (values['rate-limit'] !== undefined) limits.rateLimit = Number(values['rate-limit']);
      const { key, record } = issueKey(name, limits);
      await store.add(record);
      out(`Created key "${name}" (${record.hint}…). It is shown once; give it to ${name}:`);
      out(key);
      return 0;
    }
    case 'list': {
      const keys = await store.list();
      if (keys.length === 0) out('No keys.');
      for (const k of keys) {
        const limits = k.limits ? ` ${JSON.stringify(k.limits)}` : '';
        out(`${k.name}\t${k.hint}…\tcreated ${k.createdAt}${limits}`);
      }
      return 0;
    }
    case 'revoke': {
      if (!name) break;
      if (!(await store.revoke(name))) {
        out(`No key named "${name}".`);
        return 1;
      }
      out(`Revoked "${name}"; running APIs refuse it within a second.`);
      return 0;
    }
  }
  out(USAGE);
  return 2;
}

/** The store `keys` works on: Redis (shared by every replica) when REDIS_URL is set. */
async function openStore(): Promise<{ store: KeyStore; close(): Promise<void> }> {
  const where = loadKeysConfig(process.env);
  if ('keysFile' in where) {
    const store = new FileKeyStore(where.keysFile, (m) => console.error(m), false);
    return { store, close: async () => store.close() };
  }
  const link = new RedisLink({
    url: where.redis.url,
    keyPrefix: where.redis.keyPrefix,
    commandTimeoutMs: 5000,
    heartbeatMs: 1000,
    instanceId: 'keys-cli',
    logger: createLogger('silent'),
  });
  link.start();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis at REDIS_URL did not answer: ${link.reason}`)),
      10_000,
    );
    link.once('up', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const store = new RedisKeyStore(link, (m) => console.error(m), false);
  return { store, close: () => link.close() };
}

async function main(): Promise<void> {
  loadEnvFile();
  let opened: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    opened = await openStore();
    process.exitCode = await runKeysCli(process.argv.slice(2), opened.store);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    await opened?.close();
  }
}

if (process.argv[1] && /keys\.(ts|js)$/.test(process.argv[1])) void main();
