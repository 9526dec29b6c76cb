import { parseArgs } from 'node:util';
import { loadKeysConfig } from '../config';
import { loadEnvFile } from '../env-file';
import { FileKeyStore } from '../access/file-key-store';
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

async function main(): Promise<void> {
  loadEnvFile();
  const { keysFile } = loadKeysConfig(process.env);
  const store = new FileKeyStore(keysFile, (m) => console.error(m), false);
  try {
    process.exitCode = await runKeysCli(process.argv.slice(2), store);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    store.close();
  }
}

if (process.argv[1] && /keys\.(ts|js)$/.test(process.argv[1])) void main();
