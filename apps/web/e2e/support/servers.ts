import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from '@playwright/test';

/**
 * Extra API processes and previews for the specs that need more than playwright.config.ts
 * starts: several backends, an API with access keys or tighter limits. Every server gets a
 * free port and an explicit environment (never the developer's shell or `.env`).
 */

const WEB = join(import.meta.dirname, '..', '..');
const API_DIR = join(WEB, '..', 'api');

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitFor(url: string, timeout = 30_000): Promise<void> {
  await expect
    .poll(
      () =>
        fetch(url).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout, intervals: [100, 250, 500] },
    )
    .toBe(200);
}

export interface Server {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function track(child: ChildProcess, port: number): Server {
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The built API (`apps/api/dist/server.js`, the simulator in-process) with `env` added. */
export async function startApi(env: Record<string, string> = {}, port?: number): Promise<Server> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [join(API_DIR, 'dist', 'server.js')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ENV_FILE: 'none',
      HOST: '127.0.0.1',
      PORT: String(p),
      // Refusals (401, 413) are what these tests provoke: only real errors are printed.
      LOG_LEVEL: 'error',
      RATE_LIMIT_MAX: '100000',
      TOKEN_BUDGET_PER_DAY: '0',
      SIM_CHUNK_DELAY_MS: '20',
      METRICS_PORT: '0',
      // Stopping a backend in a test should not wait for streams to drain.
      SHUTDOWN_DRAIN_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = track(child, p);
  await waitFor(`${server.url}/health`);
  return server;
}

/** `vite preview` of a build (`dist`, or `outDir`), proxying same-origin /api to `apiUrl`. */
export async function startPreview(apiUrl: string, outDir?: string): Promise<Server> {
  const port = await freePort();
  const args = ['./node_modules/vite/bin/vite.js', 'preview', '--port', String(port)];
  args.push('--strictPort', '--host', '127.0.0.1');
  if (outDir) args.push('--outDir', outDir);
  const child = spawn(process.execPath, args, {
    cwd: WEB,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', API_PROXY_TARGET: apiUrl },
    // Quiet: stopping a backend makes the proxy log every refused connection.
    stdio: 'ignore',
  });
  const server = track(child, port);
  await waitFor(server.url);
  return server;
}

/** A production build of the web app with `env` (e.g. VITE_API_URL) into `outDir`. */
export async function buildWeb(outDir: string, env: Record<string, string>): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      './node_modules/vite/bin/vite.js',
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: WEB, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 180_000 },
  );
}

/** Create an access key with the API's CLI (`keys create <name>`); returns the key. */
export async function createAccessKey(keysFile: string, name: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/keys.ts', 'create', name],
    {
      // tsx resolves from the API package, which depends on it.
      cwd: API_DIR,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ACCESS_KEYS_FILE: keysFile,
        ENV_FILE: 'none',
      },
    },
  );
  const key = stdout.trim().split('\n').at(-1) ?? '';
  if (!key.startsWith('zc_')) throw new Error(`keys create printed no key: ${stdout}`);
  return key;
}
