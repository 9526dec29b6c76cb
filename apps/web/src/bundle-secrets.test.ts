// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const WEB = join(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

// The key lives in the API's environment only. Even when a build machine has it set (under
// any name Vite might expose), the production bundle must not contain it.
test('a canary key in the build environment never reaches the built bundle', async () => {
  const canary = `zai-canary-${Math.random().toString(36).slice(2)}.secret`;
  const outDir = mkdtempSync(join(tmpdir(), 'web-build-'));
  await run(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    {
      cwd: WEB,
      env: {
        ...process.env,
        ZAI_API_KEY: canary,
        SIMULATOR_API_KEY: canary,
        VITE_ZAI_API_KEY: canary,
      },
      timeout: 120_000,
    },
  );
  const files = filesUnder(outDir);
  expect(files.some((f) => f.endsWith('.js'))).toBe(true);
  for (const file of files) expect(readFileSync(file).includes(canary), file).toBe(false);
}, 150_000);

test('the app reads no build-time variable but VITE_API_URL', () => {
  const sources = filesUnder(join(WEB, 'src')).filter(
    (f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'),
  );
  const used = new Set(
    sources.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/import\.meta\.env\.(\w+)/g)].map((m) => m[1]),
    ),
  );
  expect([...used]).toEqual(['VITE_API_URL']);
});
