import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, repoPath } from './repo';
import { findDockerCompose } from './tools';

/** The parts of a resolved compose service the tests look at. */
export interface ComposeService {
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  image?: string;
  user?: string;
  command?: string[] | string;
  profiles?: string[];
  ports?: Array<string | { published?: string | number; target?: number | string }>;
  expose?: Array<string | number>;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; interval?: string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
  volumes?: unknown[];
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
}

export interface ComposeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `docker-compose <args>` in the repo root. A developer's .env must not change what the tests
 * see, so an empty env file replaces it; `envFile` lines stand in for a .env where wanted.
 */
export function runCompose(args: string[], envFile = ''): ComposeRun {
  const dir = mkdtempSync(join(tmpdir(), 'zai-chat-compose-'));
  const envPath = join(dir, '.env');
  writeFileSync(envPath, envFile);
  try {
    const result = spawnSync(
      findDockerCompose(),
      ['-f', 'docker-compose.yml', '--env-file', envPath, ...args],
      {
        cwd: REPO_ROOT,
        env: composeEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return {
      status: result.status,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? `${result.error ?? ''}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The resolved model (`docker-compose config`). Compose v2 prints JSON on request; v1 (Debian
 * bookworm's package) prints only YAML, which its own Python YAML module turns into JSON, so
 * no YAML parser is needed here.
 */
export function resolvedConfig(args: string[] = [], envFile = ''): ComposeConfig {
  const asJson = runCompose([...args, 'config', '--format', 'json'], envFile);
  // v1 answers an unknown option with its usage text and status 0, hence the `{` check.
  if (asJson.status === 0 && asJson.stdout.trimStart().startsWith('{')) {
    return JSON.parse(asJson.stdout) as ComposeConfig;
  }
  const asYaml = runCompose([...args, 'config'], envFile);
  if (asYaml.status !== 0) throw new Error(`docker-compose config failed:\n${asYaml.stderr}`);
  const json = execFileSync(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: asYaml.stdout, encoding: 'utf8' },
  );
  return JSON.parse(json) as ComposeConfig;
}

/** Our environment without variables the compose file interpolates, so the shell cannot change results. */
export function composeEnv(): NodeJS.ProcessEnv {
  const file = readFileSync(repoPath('docker-compose.yml'), 'utf8');
  const interpolated = new Set(
    [...file.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]),
  );
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (interpolated.has(name) || name.startsWith('COMPOSE_')) delete env[name];
  }
  return env;
}
