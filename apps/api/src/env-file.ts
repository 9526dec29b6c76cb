import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Load `.env` into process.env for local runs: the repo root's when started by `pnpm dev`
 * (cwd apps/api) or from the root, or the file named by ENV_FILE. Variables already set in the
 * environment win, so a container's or a test's own settings are never overridden.
 * `ENV_FILE=none` loads nothing: every test that starts the API sets it, so a developer's
 * `.env` (and the real key in it) never reaches a test run.
 */
export function loadEnvFile(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string | undefined {
  if (env.ENV_FILE === 'none') return undefined;
  const candidates = env.ENV_FILE
    ? [resolve(cwd, env.ENV_FILE)]
    : [resolve(cwd, '.env'), resolve(cwd, '../../.env')];
  const file = candidates.find((path) => existsSync(path));
  if (!file) return undefined;
  process.loadEnvFile(file);
  return file;
}
