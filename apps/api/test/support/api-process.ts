import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const API_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's loader by absolute URL, so the API can run from any cwd (a test may pick one). */
const TSX_LOADER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

/**
 * The environment a test gives a spawned API process: only what the test names, plus PATH
 * and `ENV_FILE=none`, so neither the developer's shell nor a `.env` file (which may hold a
 * real key) leaks into a test run. Every test that spawns the API goes through here.
 */
export function apiProcessEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // METRICS_PORT 0: an ephemeral port, so processes started side by side never clash on 9464.
  return { PATH: process.env.PATH, ENV_FILE: 'none', METRICS_PORT: '0', ...env };
}

export interface SpawnOptions {
  cwd?: string;
  /** Run under `ulimit -n <n>` (soft and hard), as a host with a low open-file limit would. */
  openFileLimit?: number;
}

/** Start `src/server.ts` (through tsx) in its own process. */
export function spawnApi(
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): ChildProcess {
  const node = [process.execPath, '--import', TSX_LOADER, `${API_DIR}/src/server.ts`];
  const [command, ...args] = options.openFileLimit
    ? ['sh', '-c', `ulimit -n ${options.openFileLimit} && exec "$@"`, 'sh', ...node]
    : node;
  return spawn(command!, args, {
    cwd: options.cwd ?? API_DIR,
    env: apiProcessEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  /** The private metrics port, when the process serves one. */
  metricsUrl: string | undefined;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawn the API and resolve once it logs the port it listens on. */
export async function startApiProcess(
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): Promise<ApiProcess> {
  const child = spawnApi(env, options);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (b: Buffer) => {
      buffered += b.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (typeof entry.port === 'number') resolve(entry.port);
        } catch {
          // not a log line
        }
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`API exited with ${code} before listening: ${stderr}`)),
    );
  });
  const metricsPort = logs.find((l) => typeof l.metricsPort === 'number')?.metricsPort as
    number | undefined;
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    metricsUrl: metricsPort ? `http://127.0.0.1:${metricsPort}` : undefined,
    logs,
    exited,
  };
}

/** Run the `keys` CLI (src/cli/keys.ts) as `pnpm --filter @zai-chat/api keys …` would. */
export function runKeysCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, `${API_DIR}/src/cli/keys.ts`, ...args],
    {
      cwd: API_DIR,
      env: apiProcessEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
