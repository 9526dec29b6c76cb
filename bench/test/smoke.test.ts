import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

// The short version of `pnpm bench`, so the harness cannot rot: every figure is produced,
// finite, and the relay served every stream. No speed is asserted here; that is the report's job.
test('pnpm bench --smoke produces the full table and a results file', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'results.json');
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/run.ts', '--smoke', '--out', out],
    {
      cwd: join(import.meta.dirname, '..'),
      timeout: 120_000,
    },
  );
  expect(stdout).toContain('| Metric');
  const results = JSON.parse(readFileSync(out, 'utf8'));
  expect(results.smoke).toBe(true);
  const metrics = results.rows.map((r: { metric: string }) => r.metric);
  for (const name of [
    'TTFC p50, 1 stream (ms)',
    'CPU per relayed chunk (µs)',
    'Held streams: RSS per open stream (KB)',
    'Initial JS, gzip (KB)',
  ]) {
    expect(metrics).toContain(name);
  }
  expect(metrics.some((m: string) => m.startsWith('Page: longest task'))).toBe(true);
  for (const row of results.rows) expect(Number.isFinite(row.value), row.metric).toBe(true);
  expect(results.latency.sequential.errors + results.latency.concurrent.errors).toBe(0);
  expect(results.relay.errors).toBe(0);
  expect(results.hold.errors).toBe(0);
  expect(results.relay.api.chunksPerSecond).toBeGreaterThan(0);
  expect(results.page.answerChars).toBeGreaterThan(5000);
}, 150_000);
