import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHooked = false;

/**
 * Kill `child` if the benchmark exits first (fails, is interrupted). One exit listener serves
 * every child: one each would pass Node's 10-listener warning.
 */
function killOnExit(child: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * Start a built entry point as its own process and wait until `readyUrl` answers 200. The child
 * gets PATH and `env`, nothing else from this shell: a developer's keys and settings must never
 * reach a benchmark.
 */
export async function startService(
  name: string,
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  baseUrl: string,
  cwd = ROOT,
): Promise<Service> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Never outlive the benchmark, even when it fails or is interrupted.
  killOnExit(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: baseUrl,
    pid: child.pid!,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // Generous: a profiled API writes its .cpuprofile on the way out.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

export const SIM_KEY = 'bench-sim-key';

export async function startSimulator(): Promise<Service> {
  const port = await freePort();
  return startService(
    'simulator',
    ['packages/zai-sim/dist/cli.js'],
    { SIM_PORT: String(port), SIM_API_KEY: SIM_KEY, SIM_CHUNK_DELAY_MS: '0' },
    `http://127.0.0.1:${port}/health`,
    `http://127.0.0.1:${port}/api/paas/v4`,
  );
}

/** An API process: also where its private metrics port answers. */
export interface ApiService extends Service {
  metricsUrl: string;
}

/**
 * The benchmark's API: its whole environment is listed here (nothing from a shell or a `.env`).
 * Budgets and per-client stream caps are off: the benchmark is one client holding thousands
 * of streams, which the defaults (rightly) refuse to anyone in production.
 */
export async function startApi(
  simulatorUrl: string,
  nodeArgs: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<ApiService> {
  const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
  const service = await startService(
    extraEnv.INSTANCE_ID ? `api (${extraEnv.INSTANCE_ID})` : 'api',
    [...nodeArgs, 'apps/api/dist/server.js'],
    {
      // No .env file is read at all: the environment below is the whole configuration.
      ENV_FILE: 'none',
      NODE_ENV: 'production',
      // Empty: the simulator is the upstream, whatever key a shell or file might hold.
      ZAI_API_KEY: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      SIMULATOR_URL: simulatorUrl,
      SIMULATOR_API_KEY: SIM_KEY,
      // As deployed: one access-log line per request (to /dev/null here) is part of the cost.
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '100000000',
      TOKEN_BUDGET_PER_DAY: '0',
      MAX_STREAMS_PER_IDENTITY: '100000',
      MAX_STREAMS: '100000',
      UPSTREAM_TOTAL_TIMEOUT_MS: '3600000',
      UPSTREAM_IDLE_TIMEOUT_MS: '600000',
      ...extraEnv,
    },
    `http://127.0.0.1:${port}/health`,
    `http://127.0.0.1:${port}`,
  );
  return { ...service, metricsUrl: `http://127.0.0.1:${metricsPort}` };
}

/** The bare `node:http` pass-through (pipe.mjs) in front of the simulator: the floor. */
export async function startPipe(simulatorUrl: string): Promise<Service> {
  const port = await freePort();
  const upstream = new URL(simulatorUrl);
  return startService(
    'pipe',
    ['bench/src/pipe.mjs'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      UPSTREAM_URL: upstream.origin,
      UPSTREAM_AUTHORIZATION: `Bearer ${SIM_KEY}`,
    },
    // Forwarded to the simulator's /health: ready means the whole path is up.
    `http://127.0.0.1:${port}/health`,
    `http://127.0.0.1:${port}${upstream.pathname}`,
  );
}

/** The pipe behind Express and express.json() (express-floor.mjs): Express's own floor. */
export async function startExpressFloor(simulatorUrl: string): Promise<Service> {
  const port = await freePort();
  const upstream = new URL(simulatorUrl);
  return startService(
    'express-floor',
    ['bench/src/express-floor.mjs'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      UPSTREAM_URL: upstream.origin,
      UPSTREAM_AUTHORIZATION: `Bearer ${SIM_KEY}`,
      NODE_ENV: 'production',
    },
    `http://127.0.0.1:${port}/health`,
    `http://127.0.0.1:${port}${upstream.pathname}`,
  );
}

export async function startWeb(apiUrl: string): Promise<Service> {
  const port = await freePort();
  return startService(
    'web',
    [
      'node_modules/vite/bin/vite.js',
      'preview',
      '--port',
      String(port),
      '--strictPort',
      '--host',
      '127.0.0.1',
    ],
    { API_PROXY_TARGET: apiUrl },
    `http://127.0.0.1:${port}/`,
    `http://127.0.0.1:${port}`,
    `${ROOT}apps/web`,
  );
}
