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
  return { PATH: process.env.PATH, ENV_FILE: 'none', ...env };
}

/** Start `src/server.ts` (through tsx) in its own process. */
export function spawnApi(
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, `${API_DIR}/src/server.ts`], {
    cwd: options.cwd ?? API_DIR,
    env: apiProcessEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawn the API and resolve once it logs the port it listens on. */
export async function startApiProcess(
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
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
  return { child, baseUrl: `http://127.0.0.1:${port}`, logs, exited };
}
