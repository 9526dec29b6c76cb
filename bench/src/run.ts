import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measurePage, initialJsGzipBytes } from './page';
import { type StreamSample, cpuMicros, percentile, pool, rssBytes, streamOnce } from './measure';
import { ROOT, SIM_KEY, type Service, startApi, startSimulator, startWeb } from './processes';
import { type Row, formatTable } from './report';

/**
 * `pnpm bench`: the simulator, the API and the web preview run as child processes; this
 * process is the load generator, on loopback. Every relay figure is compared with the same
 * load sent straight to the simulator in the same run (the physical limit of this machine).
 */
const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
    /** Comma-separated subset while working on one figure: latency,relay,hold,page. */
    only: { type: 'string', default: 'latency,relay,hold,page' },
  },
});
const ONLY = new Set(args.only.split(','));
const SMOKE = args.smoke;

const plan = SMOKE
  ? {
      seq: 20,
      warmup: 5,
      concurrent: 10,
      rounds: 2,
      relayStreams: 2,
      relayChunks: 500,
      holdStreams: 50,
      holdMs: 1500,
      pageSize: 10_000,
      pageDelayMs: 2,
    }
  : {
      seq: 400,
      warmup: 50,
      concurrent: 100,
      rounds: 10,
      relayStreams: 20,
      relayChunks: 5000,
      holdStreams: 2000,
      holdMs: 15_000,
      pageSize: 100_000,
      // The simulator's own pacing (SIM_CHUNK_DELAY_MS default): ~2,250 chunks over ~70 s.
      pageDelayMs: 30,
    };

const body = (directive: string) =>
  JSON.stringify({
    model: 'glm-4.6',
    stream: true,
    messages: [{ role: 'user', content: `${directive} benchmark prompt` }],
  });

interface Endpoints {
  direct: (b: string) => Promise<StreamSample>;
  api: (b: string, onFirstChunk?: () => void) => Promise<StreamSample>;
}

function endpoints(sim: Service, api: Service): Endpoints {
  return {
    direct: (b) =>
      streamOnce(`${sim.url}/chat/completions`, b, { authorization: `Bearer ${SIM_KEY}` }),
    api: (b, onFirstChunk) => streamOnce(`${api.url}/api/chat`, b, {}, onFirstChunk),
  };
}

const failures = (samples: StreamSample[]) => samples.filter((s) => !s.ok).length;

async function latency(ep: Endpoints, concurrency: number, count: number) {
  const b = body('[sim:normal chunks=20 delay=0]');
  await pool(plan.warmup, concurrency, () => ep.direct(b));
  await pool(plan.warmup, concurrency, () => ep.api(b));
  const direct: StreamSample[] = [];
  const api: StreamSample[] = [];
  // Interleave rounds so drift in machine load hits both sides alike.
  const rounds = Math.max(1, Math.round(count / concurrency));
  for (let r = 0; r < rounds; r++) {
    direct.push(...(await pool(concurrency, concurrency, () => ep.direct(b))));
    api.push(...(await pool(concurrency, concurrency, () => ep.api(b))));
  }
  const stats = (xs: StreamSample[], key: 'ttfcMs' | 'totalMs') => ({
    p50: percentile(
      xs.map((s) => s[key]),
      50,
    ),
    p99: percentile(
      xs.map((s) => s[key]),
      99,
    ),
  });
  return {
    samples: api.length,
    errors: failures(direct) + failures(api),
    direct: { ttfc: stats(direct, 'ttfcMs'), total: stats(direct, 'totalMs') },
    api: { ttfc: stats(api, 'ttfcMs'), total: stats(api, 'totalMs') },
  };
}

async function relayCost(ep: Endpoints, apiPid: number, simPid: number) {
  const b = body(`[sim:normal chunks=${plan.relayChunks} delay=0]`);
  await ep.api(b);
  const run = async (send: (b: string) => Promise<StreamSample>, pid: number) => {
    const cpu0 = cpuMicros(pid);
    const t0 = performance.now();
    let chunks = 0;
    let errors = 0;
    for (let i = 0; i < plan.relayStreams; i++) {
      const s = await send(b);
      chunks += s.chunks;
      if (!s.ok) errors++;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { chunks, errors, chunksPerSecond: chunks / seconds, cpuMicros: cpuMicros(pid) - cpu0 };
  };
  const direct = await run(ep.direct, simPid);
  const simCpuDirect = direct.cpuMicros;
  const api = await run(ep.api, apiPid);
  return {
    direct: {
      chunksPerSecond: direct.chunksPerSecond,
      simCpuPerChunkUs: simCpuDirect / Math.max(1, direct.chunks),
    },
    api: {
      chunksPerSecond: api.chunksPerSecond,
      cpuPerChunkUs: api.cpuMicros / Math.max(1, api.chunks),
    },
    errors: direct.errors + api.errors,
  };
}

/** API heap in use, from its own Prometheus metrics (prom-client's default metrics). */
async function apiHeapUsed(api: Service): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Many slow streams held open at once through one API process. Memory per stream is read
 * while every stream is open and idle between chunks (after all got their first chunk), as
 * RSS and as V8 heap growth over the idle API; the simulator holding the same sockets is the
 * baseline for what a bare Node HTTP stream costs.
 */
async function holdStreams(ep: Endpoints, api: Service, simPid: number) {
  const b = body(`[sim:slow ms=${plan.holdMs} chunks=3]`);
  await new Promise((r) => setTimeout(r, 500));
  const apiRssIdle = rssBytes(api.pid);
  const simRssIdle = rssBytes(simPid);
  const heapIdle = await apiHeapUsed(api);
  let apiPeak = apiRssIdle;
  const sampler = setInterval(() => (apiPeak = Math.max(apiPeak, rssBytes(api.pid))), 100);
  let started = 0;
  let allStarted!: () => void;
  const opened = new Promise<void>((resolve) => (allStarted = resolve));
  const t0 = performance.now();
  const done = pool(plan.holdStreams, plan.holdStreams, () =>
    ep.api(b, () => {
      if (++started === plan.holdStreams) allStarted();
    }),
  );
  await Promise.race([opened, done]);
  await new Promise((r) => setTimeout(r, 300));
  const apiRssOpen = rssBytes(api.pid);
  const simRssOpen = rssBytes(simPid);
  const heapOpen = await apiHeapUsed(api);
  const openAtOnce = started;
  const samples = await done;
  clearInterval(sampler);
  return {
    streams: plan.holdStreams,
    openAtOnce,
    errors: failures(samples),
    seconds: (performance.now() - t0) / 1000,
    apiRssIdleMb: apiRssIdle / 2 ** 20,
    apiRssPeakMb: apiPeak / 2 ** 20,
    apiKbPerStream: (apiRssOpen - apiRssIdle) / 1024 / plan.holdStreams,
    apiHeapKbPerStream: (heapOpen - heapIdle) / 1024 / plan.holdStreams,
    simKbPerStream: (simRssOpen - simRssIdle) / 1024 / plan.holdStreams,
  };
}

async function main() {
  const started = Date.now();
  const services: Service[] = [];
  try {
    const sim = await startSimulator();
    services.push(sim);
    const api = await startApi(sim.url);
    services.push(api);
    const ep = endpoints(sim, api);

    const sequential = ONLY.has('latency') ? await latency(ep, 1, plan.seq) : undefined;
    const concurrent = ONLY.has('latency')
      ? await latency(ep, plan.concurrent, plan.concurrent * plan.rounds)
      : undefined;
    const relay = ONLY.has('relay') ? await relayCost(ep, api.pid, sim.pid) : undefined;
    // Fresh processes, so memory growth is the streams' and not left over from the load above.
    let hold: Awaited<ReturnType<typeof holdStreams>> | undefined;
    if (ONLY.has('hold')) {
      const holdSim = await startSimulator();
      services.push(holdSim);
      const holdApi = await startApi(holdSim.url);
      services.push(holdApi);
      hold = await holdStreams(endpoints(holdSim, holdApi), holdApi, holdSim.pid);
      await holdApi.stop();
      await holdSim.stop();
    }

    let page: Awaited<ReturnType<typeof measurePage>> | undefined;
    if (ONLY.has('page')) {
      const web = await startWeb(api.url);
      services.push(web);
      page = await measurePage(
        web.url,
        `[sim:markdown size=${plan.pageSize} delay=${plan.pageDelayMs}] A long markdown answer`,
      );
    }
    const js = initialJsGzipBytes(join(ROOT, 'apps/web/dist'));

    const results = {
      smoke: SMOKE,
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      plan,
      latency: sequential && concurrent ? { sequential, concurrent } : undefined,
      relay,
      hold,
      page,
      initialJs: { gzipKb: js.bytes / 1024, files: js.files },
      seconds: (Date.now() - started) / 1000,
    };
    const rows = toRows(results);
    console.log(formatTable(rows));
    console.log(
      `\n${results.machine.cpus}× ${results.machine.cpuModel}, ${results.machine.memGb} GB, Node ${results.machine.node}; ${results.seconds.toFixed(1)} s${SMOKE ? ' (smoke)' : ''}`,
    );
    const out = resolve(args.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ ...results, rows }, null, 2)}\n`);
    console.log(`results: ${out}`);
  } finally {
    await Promise.all(services.reverse().map((s) => s.stop()));
  }
}

type Results = {
  latency:
    | {
        sequential: Awaited<ReturnType<typeof latency>>;
        concurrent: Awaited<ReturnType<typeof latency>>;
      }
    | undefined;
  relay: Awaited<ReturnType<typeof relayCost>> | undefined;
  hold: Awaited<ReturnType<typeof holdStreams>> | undefined;
  page: Awaited<ReturnType<typeof measurePage>> | undefined;
  initialJs: { gzipKb: number };
};

function toRows(r: Results): Row[] {
  const rows: Row[] = [];
  const latencies = r.latency
    ? ([
        ['1 stream', r.latency.sequential],
        [`${plan.concurrent} concurrent`, r.latency.concurrent],
      ] as const)
    : [];
  for (const [label, l] of latencies) {
    for (const p of ['p50', 'p99'] as const) {
      rows.push({
        metric: `TTFC ${p}, ${label} (ms)`,
        value: l.api.ttfc[p],
        baseline: l.direct.ttfc[p],
        added: l.api.ttfc[p] - l.direct.ttfc[p],
        target: label === '1 stream' ? (p === 'p50' ? '+≤0.5' : '+≤2') : undefined,
      });
      rows.push({
        metric: `Total ${p}, ${label} (ms)`,
        value: l.api.total[p],
        baseline: l.direct.total[p],
        added: l.api.total[p] - l.direct.total[p],
      });
    }
    rows.push({ metric: `Errors, ${label}`, value: l.errors, target: '0' });
  }
  if (r.relay) {
    rows.push({
      metric: 'Chunks/s, one stream',
      value: r.relay.api.chunksPerSecond,
      baseline: r.relay.direct.chunksPerSecond,
    });
    rows.push({
      metric: 'CPU per relayed chunk (µs)',
      value: r.relay.api.cpuPerChunkUs,
      baseline: r.relay.direct.simCpuPerChunkUs,
      target: '≤10',
    });
  }
  if (r.hold) {
    rows.push({
      metric: `Held streams: errors of ${r.hold.streams}`,
      value: r.hold.errors,
      target: '0',
    });
    rows.push({
      metric: 'Held streams: API peak RSS (MB)',
      value: r.hold.apiRssPeakMb,
      baseline: r.hold.apiRssIdleMb,
    });
    rows.push({
      metric: 'Held streams: RSS per open stream (KB)',
      value: r.hold.apiKbPerStream,
      baseline: r.hold.simKbPerStream,
      target: '≤50',
    });
    rows.push({
      metric: 'Held streams: JS heap per open stream (KB)',
      value: r.hold.apiHeapKbPerStream,
    });
  }
  if (r.page) {
    rows.push({
      metric: `Page: longest task, ${plan.pageSize / 1000} KB markdown (ms)`,
      value: r.page.longestTaskMs,
      target: '≤50',
    });
    rows.push({ metric: 'Page: total blocking time (ms)', value: r.page.totalBlockingMs });
    rows.push({ metric: 'Page: long tasks (count)', value: r.page.longTasks });
    rows.push({ metric: 'Page: chunks streamed', value: r.page.chunks, target: '≥2000' });
    rows.push({
      metric: 'Page: main thread per chunk, first 10% (ms)',
      value: r.page.perChunkStartMs,
    });
    rows.push({
      metric: 'Page: main thread per chunk, last 10% (ms)',
      value: r.page.perChunkEndMs,
      baseline: r.page.perChunkStartMs,
      target: '≈ first 10%',
    });
  }
  rows.push({ metric: 'Initial JS, gzip (KB)', value: r.initialJs.gzipKb, target: '≤150' });
  return rows;
}

await main();
