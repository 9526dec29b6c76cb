import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type AbortResult, aborts } from './abort';
import { type CpuResult, cpuCost } from './cpu';
import { type HoldResult, holdStreams } from './hold';
import { type LatencyResult, timeToFirstChunk } from './latency';
import { measurePage, initialJsGzipBytes } from './page';
import {
  ROOT,
  type Service,
  startApi,
  startExpressFloor,
  startPipe,
  startSimulator,
  startWeb,
} from './processes';
import { profilePaced } from './profile';
import { type ReadCount, countReads } from './reads';
import { type RedisBenchResult, measureRedis, redisRows } from './redis';
import { type Row, check, formatTable } from './report';
import { type TargetName, TARGETS, batched, expressTarget, paced, targets, warm } from './targets';
import { type ThroughputResult, throughput } from './throughput';

/**
 * `pnpm bench`: the simulator, zai-chat's API, a bare node:http pipe (the floor) and the web
 * preview run as child processes; this process is the load generator, on loopback. Every relay
 * figure is measured through the API, the pipe and (where it means something) straight to the
 * simulator, in rounds that rotate between them, and printed as a ratio to the pipe beside the
 * targets of issue 15.
 */
const FIGURES = [
  'reads',
  'ttfc',
  'concurrent',
  'throughput',
  'cpu-paced',
  'cpu-batched',
  'abort',
  'hold',
  'page',
  'redis',
] as const;
type Figure = (typeof FIGURES)[number];

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    /** Comma-separated figures (a prefix picks several: `cpu` = cpu-paced,cpu-batched). */
    only: { type: 'string', default: FIGURES.join(',') },
    /** Profile the API under the paced workload instead (node --cpu-prof); see profile.ts. */
    profile: { type: 'boolean', default: false },
  },
});
const picked = args.only.split(',').map((s) => s.trim());
const unknown = picked.filter((p) => !FIGURES.some((f) => f === p || f.startsWith(`${p}-`)));
if (unknown.length) {
  console.error(`--only: unknown figure ${unknown.join(', ')}; figures: ${FIGURES.join(', ')}`);
  process.exit(2);
}
const ONLY = new Set<Figure>(
  FIGURES.filter((f) => picked.some((p) => f === p || f.startsWith(`${p}-`))),
);
const SMOKE = args.smoke;

const plan = SMOKE
  ? {
      warmup: 10,
      reads: { chunks: 20 },
      ttfc: { clients: 1, perClient: 10, chunks: 2, rounds: 2 },
      concurrent: { clients: 10, perClient: 2, chunks: 5, rounds: 2 },
      throughput: { clients: 5, perClient: 2, chunks: 50, rounds: 2 },
      cpu: {
        clients: 4,
        rounds: 1,
        shortChunks: 2,
        longChunks: 20,
        shortStreams: 8,
        longStreams: { paced: 4, batched: 4 },
      },
      hold: { streams: 50, holdMs: 1000, opening: 10, settleMs: 100 },
      abort: { streams: 20, rounds: 2, opening: 10, openTimeoutMs: 10_000, timeoutMs: 5000 },
      page: { size: 10_000, delayMs: 2 },
    }
  : {
      warmup: 3000,
      reads: { chunks: 50 },
      // Many short rounds: the finer the rotation, the more alike the load on each target.
      ttfc: { clients: 1, perClient: 100, chunks: 2, rounds: 10 },
      concurrent: { clients: 100, perClient: 4, chunks: 20, rounds: 10 },
      throughput: { clients: 50, perClient: 3, chunks: 200, rounds: 15 },
      cpu: {
        clients: 10,
        rounds: 5,
        shortChunks: 2,
        longChunks: 200,
        shortStreams: 2000,
        longStreams: { paced: 100, batched: 500 },
      },
      hold: { streams: 2000, holdMs: 15_000, opening: 100, settleMs: 500 },
      abort: { streams: 1000, rounds: 5, opening: 100, openTimeoutMs: 60_000, timeoutMs: 10_000 },
      // The simulator's own pacing (SIM_CHUNK_DELAY_MS default): ~2,250 chunks over ~70 s.
      page: { size: 100_000, delayMs: 30 },
    };
type Plan = typeof plan;

interface Results {
  reads?: Record<'paced' | 'batched', Record<TargetName, ReadCount>>;
  ttfc?: LatencyResult;
  concurrent?: LatencyResult;
  throughput?: ThroughputResult;
  cpuPaced?: CpuResult;
  cpuBatched?: CpuResult;
  abort?: AbortResult;
  hold?: HoldResult;
  page?: Awaited<ReturnType<typeof measurePage>>;
  redis?: RedisBenchResult;
  initialJs: { gzipKb: number; files: string[] };
}

function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

function writeResults(out: string, results: object) {
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${path}`);
}

async function main() {
  const started = Date.now();
  const services: Service[] = [];
  const keep = <S extends Service>(s: S) => (services.push(s), s);
  try {
    if (args.profile) {
      const sim = keep(await startSimulator());
      const profiles = await profilePaced(
        sim,
        { ...plan.cpu, warmup: plan.warmup },
        { ...plan.abort, rounds: 1 },
      );
      writeResults(args.out ?? join(ROOT, 'bench/results/profile.json'), {
        smoke: SMOKE,
        date: new Date().toISOString(),
        machine: machine(),
        plan: plan.cpu,
        profiles,
      });
      return;
    }

    // Everything starts at once; the hold figure's processes stay idle (fresh) until it runs.
    const [sim, holdSim] = await Promise.all([
      startSimulator().then(keep),
      ONLY.has('hold') ? startSimulator().then(keep) : undefined,
    ]);
    const starting = startApi(sim.url).then(keep);
    const [api, pipe, expressFloor, holdApi, holdPipe, web] = await Promise.all([
      starting,
      startPipe(sim.url).then(keep),
      ONLY.has('cpu-paced') ? startExpressFloor(sim.url).then(keep) : undefined,
      holdSim && startApi(holdSim.url).then(keep),
      holdSim && startPipe(holdSim.url).then(keep),
      ONLY.has('page') ? starting.then((a) => startWeb(a.url)).then(keep) : undefined,
    ]);
    const t = targets(sim, api, pipe);

    for (const name of TARGETS) await warm(t[name], plan.warmup);
    const express = expressFloor && expressTarget(expressFloor);
    if (express) await warm(express, plan.warmup);

    const r: Results = { initialJs: { gzipKb: 0, files: [] } };
    // Seconds each figure took, so the smoke run's budget can be kept.
    const timings: Record<string, number> = { startAndWarmup: (Date.now() - started) / 1000 };
    let lap = Date.now();
    const timed = async <T>(figure: Figure, run: () => Promise<T>): Promise<T | undefined> => {
      if (!ONLY.has(figure)) return undefined;
      const value = await run();
      timings[figure] = (Date.now() - lap) / 1000;
      lap = Date.now();
      return value;
    };
    r.reads = await timed('reads', async () => {
      const reads = { paced: {}, batched: {} } as NonNullable<Results['reads']>;
      for (const name of TARGETS) {
        reads.paced[name] = await countReads(t[name], paced(plan.reads.chunks));
        reads.batched[name] = await countReads(t[name], batched(plan.reads.chunks));
      }
      return reads;
    });
    r.ttfc = await timed('ttfc', () => timeToFirstChunk(t, plan.ttfc));
    r.concurrent = await timed('concurrent', () => timeToFirstChunk(t, plan.concurrent));
    r.throughput = await timed('throughput', () => throughput(t, plan.throughput));
    r.cpuPaced = await timed('cpu-paced', () => cpuCost({ ...t, express }, 'paced', plan.cpu));
    r.cpuBatched = await timed('cpu-batched', () => cpuCost(t, 'batched', plan.cpu));
    r.abort = await timed('abort', () => aborts(t, new URL(sim.url).origin, plan.abort));
    r.hold = await timed('hold', async () =>
      holdSim && holdApi && holdPipe
        ? holdStreams(targets(holdSim, holdApi, holdPipe), holdApi, holdSim.pid, plan.hold)
        : undefined,
    );
    r.page = await timed('page', async () =>
      web
        ? measurePage(
            web.url,
            `[sim:markdown size=${plan.page.size} delay=${plan.page.delayMs}] A long markdown answer`,
          )
        : undefined,
    );
    // Processes of its own (a Redis, two APIs): what Redis adds, against the same API without.
    r.redis = await timed('redis', () => measureRedis({ smoke: SMOKE }));
    const js = initialJsGzipBytes(join(ROOT, 'apps/web/dist'));
    r.initialJs = { gzipKb: js.bytes / 1024, files: js.files };

    const rows = toRows(r, plan);
    const m = machine();
    const seconds = (Date.now() - started) / 1000;
    const date = new Date().toISOString();
    console.log(formatTable(rows));
    console.log(
      `\n${date.slice(0, 10)}: ${m.cpus}× ${m.cpuModel}, ${m.memGb} GB, Node ${m.node}; ${seconds.toFixed(1)} s${SMOKE ? ' (smoke)' : ''}`,
    );
    writeResults(args.out ?? join(ROOT, 'bench/results/latest.json'), {
      smoke: SMOKE,
      date,
      machine: m,
      plan,
      ...r,
      rows,
      seconds,
      timings,
    });
  } finally {
    await Promise.all(services.reverse().map((s) => s.stop()));
  }
}

function toRows(r: Results, p: Plan): Row[] {
  const rows: Row[] = [];
  const all = (o: Record<TargetName, number>): Pick<Row, 'api' | 'pipe' | 'direct'> => ({
    api: o.api,
    pipe: o.pipe,
    direct: o.direct,
  });
  const errors: Record<TargetName, number> = { api: 0, pipe: 0, direct: 0 };
  const count = (e: Partial<Record<TargetName, number>>) => {
    for (const name of TARGETS) errors[name] += e[name] ?? 0;
  };

  if (r.ttfc) {
    const { ttfc, added } = r.ttfc;
    for (const q of ['p50', 'p99'] as const) {
      const of = (o: typeof ttfc) => ({ api: o.api[q], pipe: o.pipe[q], direct: o.direct[q] });
      rows.push({ metric: `TTFC ${q}, 1 client (ms)`, ...all(of(ttfc)) });
      rows.push({
        metric: `Added TTFC ${q}, 1 client (ms)`,
        api: added.api[q],
        pipe: added.pipe[q],
        target: check.plusAtMost(added.api[q], added.pipe[q], q === 'p50' ? 0.3 : 1),
      });
    }
    count(r.ttfc.errors);
  }
  if (r.concurrent) {
    const { ttfc } = r.concurrent;
    const n = r.concurrent.clients;
    rows.push({
      metric: `TTFC p50, ${n} concurrent (ms)`,
      ...all({ api: ttfc.api.p50, pipe: ttfc.pipe.p50, direct: ttfc.direct.p50 }),
      target: check.timesAtMost(ttfc.api.p50, ttfc.pipe.p50, 2),
    });
    rows.push({
      metric: `TTFC p99, ${n} concurrent (ms)`,
      ...all({ api: ttfc.api.p99, pipe: ttfc.pipe.p99, direct: ttfc.direct.p99 }),
    });
    count(r.concurrent.errors);
  }
  if (r.throughput) {
    const c = r.throughput.chunksPerSecond;
    rows.push({
      metric: `Chunks/s, ${r.throughput.clients} clients, upstream without delay`,
      ...all(c),
      target: check.shareAtLeast(c.api, c.pipe, 0.75),
    });
    count(r.throughput.errors);
  }
  for (const cpu of [r.cpuPaced, r.cpuBatched]) {
    if (!cpu) continue;
    const isPaced = cpu.mode === 'paced';
    rows.push({
      metric: `CPU per request, ${cpu.mode} (µs)`,
      api: cpu.perRequestUs.api,
      pipe: cpu.perRequestUs.pipe,
      target: isPaced
        ? check.timesAtMost(cpu.perRequestUs.api, cpu.perRequestUs.pipe, 2)
        : undefined,
    });
    rows.push({
      metric: `CPU per extra chunk, ${cpu.mode} (µs)`,
      api: cpu.perChunkUs.api,
      pipe: cpu.perChunkUs.pipe,
      target: isPaced ? check.timesAtMost(cpu.perChunkUs.api, cpu.perChunkUs.pipe, 1.3) : undefined,
    });
    if (cpu.perRequestUs.express !== undefined) {
      // The same pipe behind Express + express.json(): what Express alone costs a relay.
      rows.push({
        metric: `CPU per request, ${cpu.mode}: Express floor (µs)`,
        api: cpu.perRequestUs.express,
        pipe: cpu.perRequestUs.pipe,
      });
      rows.push({
        metric: `CPU per extra chunk, ${cpu.mode}: Express floor (µs)`,
        api: cpu.perChunkUs.express,
        pipe: cpu.perChunkUs.pipe,
      });
    }
    count(cpu.errors);
  }
  if (r.reads) {
    for (const mode of ['paced', 'batched'] as const) {
      const reads = r.reads[mode];
      rows.push({
        metric: `Frames per network read, ${mode}`,
        ...all({
          api: reads.api.framesPerRead,
          pipe: reads.pipe.framesPerRead,
          direct: reads.direct.framesPerRead,
        }),
      });
      count({
        api: reads.api.ok ? 0 : 1,
        pipe: reads.pipe.ok ? 0 : 1,
        direct: reads.direct.ok ? 0 : 1,
      });
    }
  }
  if (r.hold) {
    const h = r.hold;
    rows.push({
      metric: `RSS per held idle stream, ${h.streams} held (KB)`,
      api: h.kbPerStream.api,
      pipe: h.kbPerStream.pipe,
      target: check.timesAtMost(h.kbPerStream.api, h.kbPerStream.pipe, 1.3),
    });
    rows.push({ metric: 'JS heap per held stream (KB)', api: h.apiHeapKbPerStream });
    rows.push({
      metric: `Peak RSS, ${h.streams} held (MB)`,
      api: h.rssPeakMb.api,
      pipe: h.rssPeakMb.pipe,
    });
    count(h.errors);
  }
  if (r.abort) {
    const a = r.abort;
    rows.push({
      metric: `Aborts: ${a.streams} at once → upstream saw all closed, worst of ${a.rounds} (ms)`,
      ...all(a.allClosedWorstMs),
      target: check.atMost(a.allClosedWorstMs.api, 100, 'ms'),
    });
    rows.push({
      metric: 'Aborts: per stream until closed upstream, p99 (ms)',
      ...all(a.closeP99Ms),
    });
    rows.push({
      metric: `Aborts: CPU for ${a.streams} (ms)`,
      api: a.cpuMs.api,
      pipe: a.cpuMs.pipe,
    });
    count(a.errors);
  }
  rows.push({
    metric: 'Errors (failed or unfinished streams, all figures)',
    ...all(errors),
    target: check.none(errors.api, errors.pipe, errors.direct),
  });
  if (r.page) {
    rows.push({
      metric: `Page: longest task, ${p.page.size / 1000} KB markdown (ms)`,
      api: r.page.longestTaskMs,
      target: check.atMost(r.page.longestTaskMs, 50),
    });
    rows.push({ metric: 'Page: total blocking time (ms)', api: r.page.totalBlockingMs });
    rows.push({ metric: 'Page: long tasks (count)', api: r.page.longTasks });
    rows.push({
      metric: 'Page: chunks streamed',
      api: r.page.chunks,
      target: check.atLeast(r.page.chunks, SMOKE ? 50 : 2000),
    });
    rows.push({
      metric: 'Page: main thread per chunk, first 10% (ms)',
      api: r.page.perChunkStartMs,
    });
    rows.push({
      metric: 'Page: main thread per chunk, last 10% (ms)',
      api: r.page.perChunkEndMs,
      target: check.timesOfAtMost(r.page.perChunkEndMs, r.page.perChunkStartMs, 1.5, 'first 10%'),
    });
  }
  rows.push({
    metric: 'Initial JS, gzip (KB)',
    api: r.initialJs.gzipKb,
    target: check.atMost(r.initialJs.gzipKb, 150),
  });
  if (r.redis) rows.push(...redisRows(r.redis));
  return rows;
}

await main();
