import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { loadEnvFile } from '../src/env-file';

const NAME = 'ZAI_CHAT_ENV_FILE_TEST';
afterEach(() => {
  delete process.env[NAME];
});

test('pnpm dev (cwd apps/api) finds the repo root .env; the environment wins over the file', () => {
  const root = mkdtempSync(join(tmpdir(), 'envfile-'));
  const api = join(root, 'apps', 'api');
  mkdirSync(api, { recursive: true });
  writeFileSync(join(root, '.env'), `${NAME}=from-file\n`);
  expect(loadEnvFile({}, api)).toBe(join(root, '.env'));
  expect(process.env[NAME]).toBe('from-file');

  process.env[NAME] = 'from-env';
  loadEnvFile({}, api);
  expect(process.env[NAME]).toBe('from-env');
});

test('ENV_FILE names the file; no file is not an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envfile-'));
  writeFileSync(join(dir, 'staging.env'), `${NAME}=staging\n`);
  expect(loadEnvFile({ ENV_FILE: 'staging.env' }, dir)).toBe(join(dir, 'staging.env'));
  expect(process.env[NAME]).toBe('staging');
  expect(loadEnvFile({}, mkdtempSync(join(tmpdir(), 'none-')))).toBeUndefined();
});
