import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SIM_API_KEY } from '@zai-chat/zai-sim';
import { readMainConfig, renderNginxTemplate } from '../../src/nginx';
import { REPO_ROOT, repoPath } from './repo';
import { type RunningProcess, freePort, startProcess, waitForHttp } from './processes';
import { findNginx } from './tools';

/**
 * The production topology of docker-compose.yml without a Docker engine: the built simulator,
 * the built API (NODE_ENV=production) and Debian's nginx (the web image's nginx) running the
 * image's own nginx.conf and template over apps/web/dist. Every piece is the artifact the images contain, started the same way.
 */
export interface Stack {
  /** nginx, the only entry point, e.g. http://127.0.0.1:40123 */
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly processes: RunningProcess[];
  stop(): Promise<void>;
}

const MIME_TYPES = '/etc/nginx/mime.types';
const BUILT_ARTIFACTS = [
  'packages/zai-sim/dist/cli.js',
  'apps/api/dist/server.js',
  'apps/web/dist/index.html',
];

export async function startStack(): Promise<Stack> {
  const nginxBin = findNginx();
  for (const artifact of BUILT_ARTIFACTS) {
    if (!existsSync(repoPath(artifact))) {
      throw new Error(
        `${artifact} is missing: build first (pnpm turbo run build; turbo's test task does)`,
      );
    }
  }
  if (!existsSync(MIME_TYPES))
    throw new Error(`${MIME_TYPES} is missing: apt-get install -y nginx`);
  const processes: RunningProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'zai-chat-staging-'));
  const stop = async () => {
    // Reverse order: nginx first, so no request reaches a stopped API.
    for (const proc of [...processes].reverse()) await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const sim = startProcess(
      'simulator',
      process.execPath,
      [repoPath('packages/zai-sim/dist/cli.js')],
      {
        cwd: REPO_ROOT,
        env: {
          ...baseEnv(),
          SIM_HOST: '127.0.0.1',
          SIM_PORT: '0',
          SIM_API_KEY: DEFAULT_SIM_API_KEY,
        },
      },
    );
    processes.push(sim);
    const simUrl = await simulatorUrl(sim);

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = startProcess('api', process.execPath, [repoPath('apps/api/dist/server.js')], {
      cwd: repoPath('apps/api/'),
      env: {
        ...baseEnv(),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        ZAI_API_KEY: '',
        SIMULATOR_URL: simUrl,
        SIMULATOR_API_KEY: DEFAULT_SIM_API_KEY,
        // nginx reaches the API from 127.0.0.1: only that address is a trusted proxy.
        TRUST_PROXY: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
    });
    processes.push(api);
    await waitForHttp(`${apiUrl}/health`, api);

    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const serverConfPath = join(dir, 'default.conf');
    await writeFile(
      serverConfPath,
      await renderNginxTemplate({
        NGINX_LISTEN: `127.0.0.1:${webPort}`,
        // API_UPSTREAM is an IP literal, so nothing is ever resolved; the directive still
        // needs a valid address.
        NGINX_RESOLVER: '127.0.0.1',
        API_UPSTREAM: `127.0.0.1:${apiPort}`,
        WEB_ROOT: repoPath('apps/web/dist'),
      }),
    );
    // The image's own nginx.conf, its run directory moved to `dir` (it includes default.conf).
    const confPath = join(dir, 'nginx.conf');
    await writeFile(confPath, await readMainConfig({ dir, runAsRoot: process.getuid?.() === 0 }));
    // -e: the error log before the config is read (the default path may not be writable).
    const nginx = startProcess(
      'nginx',
      nginxBin,
      ['-c', confPath, '-p', `${dir}/`, '-e', join(dir, 'error.log')],
      {
        cwd: dir,
      },
    );
    processes.push(nginx);
    await waitForHttp(`${webUrl}/healthz`, nginx);

    return { webUrl, apiUrl, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The parent's environment minus anything that would point the API at real Z.AI. */
/**
 * The environment of a spawned service: only PATH, plus what the caller names. Nothing from
 * the developer's shell, and ENV_FILE=none so the API never reads a `.env` (which may hold a
 * real key); METRICS_PORT 0 so side-by-side runs never clash on 9464.
 */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ENV_FILE: 'none', METRICS_PORT: '0' };
}

/** The simulator prints its base URL once listening on the port the OS gave it. */
async function simulatorUrl(sim: RunningProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /ZAI_BASE_URL=(http:\/\/\S+)/.exec(sim.output());
    if (match?.[1]) return match[1];
    const exit = sim.exited();
    if (exit !== undefined) throw new Error(`simulator exited (${exit}):\n${sim.output()}`);
    await sleep(50);
  }
  throw new Error(`simulator printed no URL within ${timeoutMs} ms:\n${sim.output()}`);
}
