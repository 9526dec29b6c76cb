import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

type Target = 'api' | 'pipe' | 'direct';
type CpuRound = { short: { frames: number }; long: { frames: number } };
/** The parts of results.json this test reads (the file is written by src/run.ts). */
interface SmokeResults {
  smoke: boolean;
  rows: ({ metric: string } & Record<string, unknown>)[];
  hold: { errors: unknown; openAtOnce: unknown };
  abort: { errors: unknown };
  reads: Record<
    'paced' | 'batched',
    Record<string, { framesPerRead: number; aloneShare: number; frames: number }>
  >;
  cpuPaced: { rounds: Record<string, CpuRound[]> };
  cpuBatched: { rounds: Record<string, CpuRound[]> };
  page: { answerChars: number };
}

// The short version of `pnpm bench`, so the harness cannot rot: every figure is produced through
// every target, finite, and every stream was served. No speed is asserted here (that is the
// report's job), except the one property the paced workload stands on: one chunk per read.
test('pnpm bench --smoke produces every figure for the API, the pipe and the simulator', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'results.json');
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/run.ts', '--smoke', '--out', out],
    { cwd: join(import.meta.dirname, '..'), timeout: 120_000 },
  );
  expect(stdout).toMatch(/\| Metric +\| zai-chat \| pipe +\| direct +\| ÷ pipe \| Target +\| Met/);
  const r = JSON.parse(readFileSync(out, 'utf8')) as SmokeResults;
  expect(r.smoke).toBe(true);

  const rows = new Map<string, Record<string, unknown>>(r.rows.map((row) => [row.metric, row]));
  const figures: [string, Target[]][] = [
    ['TTFC p50, 1 client (ms)', ['api', 'pipe', 'direct']],
    ['Added TTFC p99, 1 client (ms)', ['api', 'pipe']],
    ['TTFC p50, 10 concurrent (ms)', ['api', 'pipe', 'direct']],
    ['Chunks/s, 5 clients, upstream without delay', ['api', 'pipe', 'direct']],
    ['CPU per request, paced (µs)', ['api', 'pipe']],
    ['CPU per extra chunk, paced (µs)', ['api', 'pipe']],
    ['CPU per request, batched (µs)', ['api', 'pipe']],
    ['Frames per network read, paced', ['api', 'pipe', 'direct']],
    ['RSS per held idle stream, 50 held (KB)', ['api', 'pipe']],
    ['Aborts: 20 at once → upstream saw all closed, worst of 2 (ms)', ['api', 'pipe', 'direct']],
    ['Aborts: CPU for 20 (ms)', ['api', 'pipe']],
    ['Initial JS, gzip (KB)', ['api']],
  ];
  for (const [metric, targets] of figures) {
    const row = rows.get(metric);
    expect(row, metric).toBeDefined();
    for (const t of targets) expect(Number.isFinite(row![t]), `${metric}: ${t}`).toBe(true);
  }
  expect([...rows.keys()].some((m) => m.startsWith('Page: longest task'))).toBe(true);
  for (const metric of ['Added TTFC p50, 1 client (ms)', 'CPU per extra chunk, paced (µs)']) {
    expect((rows.get(metric)!.target as { text: string }).text).toMatch(/pipe/);
  }

  // Every stream of every figure, through every target, was served to its [DONE].
  const errors = rows.get('Errors (failed or unfinished streams, all figures)')!;
  expect([errors.api, errors.pipe, errors.direct]).toEqual([0, 0, 0]);
  expect(r.hold.errors).toEqual({ api: 0, pipe: 0 });
  expect(r.hold.openAtOnce).toEqual({ api: 50, pipe: 50 });
  expect(r.abort.errors).toEqual({ api: 0, pipe: 0, direct: 0 });

  // Paced really is one chunk per network read at the client (a few may merge on a busy
  // machine), and batched really is many; through the relays as straight from the simulator.
  const reads = r.reads;
  expect(reads.paced.direct!.frames).toBeGreaterThan(10);
  expect(reads.paced.direct!.aloneShare).toBeGreaterThanOrEqual(0.5);
  for (const t of ['api', 'pipe', 'direct']) {
    expect(reads.batched[t]!.frames, t).toBe(reads.paced.direct!.frames);
    expect(reads.batched[t]!.framesPerRead, t).toBeGreaterThanOrEqual(4);
    expect(reads.paced[t]!.framesPerRead, t).toBeLessThan(reads.batched[t]!.framesPerRead);
  }

  // The CPU split stands on short and long streams of the sizes planned.
  for (const mode of ['cpuPaced', 'cpuBatched'] as const) {
    for (const t of ['api', 'pipe']) {
      const round = r[mode].rounds[t]![0]!;
      expect(round.long.frames, `${mode} ${t}`).toBeGreaterThan(round.short.frames + 10);
    }
  }
  expect(r.page.answerChars).toBeGreaterThan(5000);
}, 150_000);
