import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeEnv } from './compose';
import {
  type ContainerDetails,
  type EngineAddress,
  allComposeProjects,
  inspectContainer,
  projectContainers,
  projectNetworksAndVolumes,
  removeImageTag,
  usedSubnets,
} from './engine';
import { freePort } from './processes';
import { REPO_ROOT } from './repo';
import { findDockerCompose } from './tools';

/**
 * docker-compose.yml brought up for real on a container engine, once per test file, under a
 * compose project of its own: the images are built from this checkout and tagged for this
 * run only, so runs from other checkouts on the same engine never swap images or containers.
 *
 * Checks get the web entry's URL and helpers to look at and act on the replicas; `down()`
 * removes everything (`down -v`) and reports what the engine still holds of the project.
 */

const PROJECT_PREFIX = 'zai-chat-e2e-';
const SERVICES_WITH_IMAGES = ['api', 'web', 'sim'] as const;

export interface ComposeResult {
  status: number | null;
  output: string;
}

export interface Leftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export interface EngineStackOptions {
  /** compose profiles, e.g. ['demo'] */
  profiles: string[];
  /** API replicas (`--scale api=N`) */
  apiReplicas: number;
  /** Lines of the env file compose reads instead of a developer's .env. */
  env: Record<string, string>;
  /** Called with each phase and how long it took, for the test log. */
  log?: (line: string) => void;
}

export class EngineStack {
  private downed = false;

  private constructor(
    readonly address: EngineAddress,
    readonly project: string,
    readonly webUrl: string,
    private readonly dir: string,
    private readonly options: EngineStackOptions,
  ) {}

  /** `docker-compose -p <project> … up -d --build --scale api=N`, then wait until all are healthy. */
  static async up(address: EngineAddress, options: EngineStackOptions): Promise<EngineStack> {
    await removeAbandonedProjects(address, options.profiles);
    const project = `${PROJECT_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
    const dir = await mkdtemp(join(tmpdir(), `${project}-`));
    const port = await freePort();
    // A subnet no network of the engine uses yet: runs from other checkouts at the same time
    // (and a developer's own stack on the default 172.30.57.0/24) would clash on it.
    const network = options.env.ZC_SUBNET ? {} : networkEnv(await freeSubnet(address));
    // Loopback only: nothing outside this machine reaches the test's stack.
    const env = { ...network, ...options.env, WEB_PORT: `127.0.0.1:${port}` };
    await writeFile(
      join(dir, '.env'),
      Object.entries(env)
        .map(([name, value]) => `${name}=${value}`)
        .join('\n') + '\n',
    );
    // Images tagged for this run (see the class comment); the layers are shared through the
    // engine's build cache all the same.
    await writeFile(
      join(dir, 'images.yml'),
      `services:\n${SERVICES_WITH_IMAGES.map((s) => `  ${s}:\n    image: zai-chat-${s}:${project}\n`).join('')}`,
    );
    const stack = new EngineStack(address, project, `http://127.0.0.1:${port}`, dir, options);
    try {
      const started = Date.now();
      const up = await stack.compose(
        ['up', '-d', '--build', '--scale', `api=${options.apiReplicas}`],
        20 * 60_000,
      );
      if (up.status !== 0) throw new Error(`docker-compose up failed:\n${tail(up.output)}`);
      stack.log(`up -d --build: ${seconds(started)}`);
      const healthyFrom = Date.now();
      await stack.waitHealthy();
      stack.log(`all healthy: ${seconds(healthyFrom)} more`);
      return stack;
    } catch (err) {
      const logs = await stack.logs().catch(() => '');
      await stack.down().catch(() => undefined);
      throw new Error(`${(err as Error).message}\n--- compose logs ---\n${tail(logs)}`);
    }
  }

  /** docker-compose with this stack's project, files, profiles and env file. */
  compose(args: string[], timeoutMs = 120_000): Promise<ComposeResult> {
    return runCompose(
      [
        '-p',
        this.project,
        '-f',
        'docker-compose.yml',
        '-f',
        join(this.dir, 'images.yml'),
        '--env-file',
        join(this.dir, '.env'),
        ...this.options.profiles.flatMap((p) => ['--profile', p]),
        ...args,
      ],
      timeoutMs,
    );
  }

  async containers(service?: string): Promise<ContainerDetails[]> {
    const list = await projectContainers(this.address, this.project, service);
    return Promise.all(list.map((c) => inspectContainer(this.address, c.Id)));
  }

  /** The running API replicas. */
  async apiReplicas(): Promise<ContainerDetails[]> {
    return (await this.containers('api')).filter((c) => c.State.Running);
  }

  /**
   * Every container running and, where it has a healthcheck, healthy; and the web entry
   * answering on the host. Podman runs healthchecks through containers/prepare's ticker.
   */
  async waitHealthy(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let state = '';
    while (Date.now() < deadline) {
      const containers = await this.containers();
      state = containers
        .map((c) => `${c.Name}: ${c.State.Status}/${c.State.Health?.Status ?? 'no healthcheck'}`)
        .join(', ');
      const ready =
        containers.length > 0 &&
        containers.every(
          (c) =>
            c.State.Running &&
            (c.State.Health === undefined || c.State.Health.Status === 'healthy'),
        );
      if (ready && (await answers(`${this.webUrl}/healthz`))) return;
      await sleep(500);
    }
    throw new Error(`not healthy within ${timeoutMs} ms: ${state}`);
  }

  logs(): Promise<string> {
    return this.compose(['logs', '--no-color', '--tail=100']).then((r) => r.output);
  }

  /**
   * `down -v` (also after a failed start), the run's image tags removed, then what the engine
   * still holds of the project. Safe to call twice.
   */
  async down(): Promise<Leftovers> {
    if (!this.downed) {
      this.downed = true;
      const started = Date.now();
      const result = await this.compose(['down', '-v', '--remove-orphans'], 180_000);
      this.log(`down -v: ${seconds(started)}`);
      for (const service of SERVICES_WITH_IMAGES) {
        await removeImageTag(this.address, `zai-chat-${service}:${this.project}`).catch(
          () => undefined,
        );
      }
      await rm(this.dir, { recursive: true, force: true });
      if (result.status !== 0)
        throw new Error(`docker-compose down failed:\n${tail(result.output)}`);
    }
    return leftovers(this.address, this.project);
  }

  private log(line: string): void {
    this.options.log?.(`[${this.project}] ${line}`);
  }
}

/** compose's network variables for a /24: nginx at .10 (the one trusted proxy), oauth2-proxy at .20. */
export function networkEnv(subnet: string): Record<string, string> {
  const prefix = subnet.replace(/\.0\/24$/, '');
  return {
    ZC_SUBNET: subnet,
    ZC_WEB_ADDRESS: `${prefix}.10`,
    ZC_AUTH_PROXY_ADDRESS: `${prefix}.20`,
    TRUST_PROXY: `${prefix}.10`,
  };
}

/** A 172.30.N.0/24 that overlaps none of the engine's networks, N picked at random. */
export async function freeSubnet(address: EngineAddress): Promise<string> {
  const ranges = (await usedSubnets(address)).flatMap((cidr) => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) return [];
    const start = ((+m[1]! << 24) | (+m[2]! << 16) | (+m[3]! << 8) | +m[4]!) >>> 0;
    const size = 2 ** (32 - +m[5]!);
    const first = start - (start % size);
    return [[first, first + size - 1] as const];
  });
  const candidates = Array.from({ length: 256 }, (_, n) => n).sort(() => Math.random() - 0.5);
  for (const n of candidates) {
    const first = ((172 << 24) >>> 0) + (30 << 16) + (n << 8);
    const last = first + 255;
    if (ranges.every(([a, b]) => last < a || first > b)) return `172.30.${n}.0/24`;
  }
  throw new Error('no free 172.30.N.0/24 subnet on the engine');
}

export async function leftovers(address: EngineAddress, project: string): Promise<Leftovers> {
  const containers = (await projectContainers(address, project)).map((c) => c.Names.join(','));
  return { containers, ...(await projectNetworksAndVolumes(address, project)) };
}

/**
 * Projects of earlier runs whose test process is gone (killed before its `down`): removed,
 * so they do not pile up. Runs still alive, from this or another checkout, are left alone.
 */
export async function removeAbandonedProjects(
  address: EngineAddress,
  profiles: string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const project of await allComposeProjects(address)) {
    const pid = Number(new RegExp(`^${PROJECT_PREFIX}(\\d+)-`).exec(project)?.[1]);
    if (!pid || isAlive(pid)) continue;
    removed.push(project);
    await runCompose([
      '-p',
      project,
      '-f',
      'docker-compose.yml',
      ...profiles.flatMap((p) => ['--profile', p]),
      'down',
      '-v',
      '--remove-orphans',
    ]);
    for (const service of SERVICES_WITH_IMAGES) {
      await removeImageTag(address, `zai-chat-${service}:${project}`).catch(() => undefined);
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** docker-compose in the repo root, without blocking the test's event loop. */
function runCompose(args: string[], timeoutMs = 120_000): Promise<ComposeResult> {
  return new Promise((resolve) => {
    const child = spawn(findDockerCompose(), args, {
      cwd: REPO_ROOT,
      env: composeEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const append = (data: Buffer) => {
      output = (output + data.toString('utf8')).slice(-256 * 1024);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      output += `\n${err.message}`;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const tail = (text: string, lines = 60) => text.split('\n').slice(-lines).join('\n');
