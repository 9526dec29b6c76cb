import { Agent, type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { type StreamSample, cpuMicros, percentile, pool, rssBytes, streamOnce } from './measure';
import { startRedis } from '@zai-chat/api/test/support/redis-server';
import { type ApiService, type Service, startApi, startSimulator } from './processes';
import { type Row, check, formatTable } from './report';

/**
 * What Redis (REDIS_URL) costs the API, measured in one run against the same simulator:
 *
 * - added time to first chunk and CPU per relayed chunk, REDIS_URL set vs unset (two API
 *   processes side by side, load interleaved so machine drift hits both alike);
 * - memory per held stream with Redis (fresh processes, as `pnpm bench`'s held streams);
 * - Redis operations per relayed chunk for answers nobody resumes (INFO commandstats over a
 *   batch of ordinary answers: registration, rate limit, heartbeats, everything);
 * - time for a reconnecting client to catch up on 1,000 missed frames, live from the
 *   producing replica (pub/sub) and after the end (from Redis).
 *
 * Usage from `bench/src/run.ts` (wiring left to its owner):
 *
 * ```ts
 * import { measureRedis, redisRows } from './redis';
 * const redis = ONLY.has('redis') ? await measureRedis({ smoke: SMOKE }) : undefined;
 * if (redis) rows.push(...redisRows(redis));   // and `redis` into results/latest.json
 * ```
 *
 * Standalone: `pnpm --filter @zai-chat/bench exec tsx src/redis.ts [--smoke]` (needs
 * `pnpm build` first, like `pnpm bench`, and Debian's `redis-server`).
 */

export interface RedisBenchOptions {
  /** A few-second version, so the harness cannot rot (no figure is meaningful then). */
  smoke?: boolean;
}

export interface RedisBenchResult {
  smoke: boolean;
  ttfc: {
    samples: number;
    withoutRedis: { p50: number; p99: number };
    withRedis: { p50: number; p99: number };
    /** withRedis − withoutRedis, ms. Target ≤ 0.3 at p50. */
    addedP50Ms: number;
    addedP99Ms: number;
  };
  cpu: {
    chunks: number;
    withoutRedisUsPerChunk: number;
    withRedisUsPerChunk: number;
    /** Target ≤ 5 µs. */
    addedUsPerChunk: number;
  };
  hold: {
    streams: number;
    withRedisKbPerStream: number;
    withoutRedisKbPerStream: number;
    withRedisHeapKbPerStream: number;
  };
  ops: {
    answers: number;
    chunks: number;
    /** Commands the API sent (a script counts once), per relayed chunk. Target ≤ 0.1. */
    perChunk: number;
    byCommand: Record<string, number>;
  };
  catchUp: {
    frames: number;
    /** Runs; the figures are their medians. */
    runs: number;
    /** Resume request sent → 1,000th missed frame received, answer still live on another replica. */
    liveMs: number;
    /** The same once the answer ended and was stored in Redis. */
    storedMs: number;
  };
  errors: number;
}

const PLANS = {
  full: {
    ttfcSamples: 400,
    warmup: 50,
    cpuStreams: 10,
    cpuChunks: 5000,
    hold: 1000,
    answers: 200,
    catchUps: 5,
  },
  smoke: {
    ttfcSamples: 20,
    warmup: 5,
    cpuStreams: 2,
    cpuChunks: 500,
    hold: 50,
    answers: 20,
    catchUps: 1,
  },
};

const body = (content: string) =>
  JSON.stringify({ model: 'glm-4.6', stream: true, messages: [{ role: 'user', content }] });

export async function measureRedis(options: RedisBenchOptions = {}): Promise<RedisBenchResult> {
  const smoke = options.smoke ?? false;
  const plan = smoke ? PLANS.smoke : PLANS.full;
  const services: { stop(): Promise<void> }[] = [];
  try {
    const redis = await startRedisServer();
    services.push(redis);
    const sim = await startSimulator();
    services.push(sim);
    const plain = await startBenchApi(sim.url, undefined, 'plain');
    services.push(plain);
    const shared = await startBenchApi(sim.url, redis.url, 'shared');
    services.push(shared);
    const other = await startBenchApi(sim.url, redis.url, 'other');
    services.push(other);

    let errors = 0;
    const count = (samples: StreamSample[]) => {
      errors += samples.filter((s) => !s.ok).length;
      return samples;
    };

    // TTFC, sequential, interleaved rounds.
    const short = body('[sim:normal chunks=20 delay=0] redis benchmark');
    const send = (api: Service) => () => streamOnce(`${api.url}/api/chat`, short);
    await pool(plan.warmup, 1, send(plain));
    await pool(plan.warmup, 1, send(shared));
    const without: StreamSample[] = [];
    const withRedis: StreamSample[] = [];
    for (let i = 0; i < plan.ttfcSamples / 10; i++) {
      without.push(...count(await pool(10, 1, send(plain))));
      withRedis.push(...count(await pool(10, 1, send(shared))));
    }
    const stat = (xs: StreamSample[], p: number) =>
      percentile(
        xs.map((s) => s.ttfcMs),
        p,
      );

    // CPU per relayed chunk.
    const long = body(`[sim:normal chunks=${plan.cpuChunks} delay=0] redis relay cost`);
    const cpuPerChunk = async (api: Service) => {
      count([await streamOnce(`${api.url}/api/chat`, long)]);
      const cpu0 = cpuMicros(api.pid);
      let chunks = 0;
      for (let i = 0; i < plan.cpuStreams; i++) {
        const [sample] = count([await streamOnce(`${api.url}/api/chat`, long)]);
        chunks += sample!.chunks;
      }
      return { chunks, us: (cpuMicros(api.pid) - cpu0) / Math.max(1, chunks) };
    };
    const cpuPlain = await cpuPerChunk(plain);
    const cpuShared = await cpuPerChunk(shared);

    // Redis operations per chunk, ordinary answers nobody resumes.
    await redis.command('CONFIG', 'RESETSTAT');
    let opsChunks = 0;
    await pool(plan.answers, 20, async (i) => {
      const [sample] = count([
        await streamOnce(`${shared.url}/api/chat`, body(`[sim:normal] ordinary answer ${i}`)),
      ]);
      opsChunks += sample!.chunks;
    });
    const byCommand = apiCommands(await redis.command('INFO', 'commandstats'));
    const ops = Object.values(byCommand).reduce((n, c) => n + c, 0);

    const catchUps = [];
    for (let i = 0; i < plan.catchUps; i++) catchUps.push(await measureCatchUp(shared, other, i));
    const catchUp = {
      frames: 1000,
      runs: catchUps.length,
      liveMs: percentile(
        catchUps.map((c) => c.liveMs),
        50,
      ),
      storedMs: percentile(
        catchUps.map((c) => c.storedMs),
        50,
      ),
    };

    // Memory per held stream, on fresh processes (after the load above, RSS would mislead).
    for (const api of [plain, shared, other]) await api.stop();
    const holdPlain = await holdStreams(sim, undefined, plan.hold);
    const holdShared = await holdStreams(sim, redis.url, plan.hold);
    errors += holdPlain.errors + holdShared.errors;

    return {
      smoke,
      ttfc: {
        samples: withRedis.length,
        withoutRedis: { p50: stat(without, 50), p99: stat(without, 99) },
        withRedis: { p50: stat(withRedis, 50), p99: stat(withRedis, 99) },
        addedP50Ms: stat(withRedis, 50) - stat(without, 50),
        addedP99Ms: stat(withRedis, 99) - stat(without, 99),
      },
      cpu: {
        chunks: cpuShared.chunks,
        withoutRedisUsPerChunk: cpuPlain.us,
        withRedisUsPerChunk: cpuShared.us,
        addedUsPerChunk: cpuShared.us - cpuPlain.us,
      },
      hold: {
        streams: plan.hold,
        withRedisKbPerStream: holdShared.kbPerStream,
        withoutRedisKbPerStream: holdPlain.kbPerStream,
        withRedisHeapKbPerStream: holdShared.heapKbPerStream,
      },
      ops: { answers: plan.answers, chunks: opsChunks, perChunk: ops / opsChunks, byCommand },
      catchUp,
      errors,
    };
  } finally {
    await Promise.all(services.reverse().map((s) => s.stop()));
  }
}

/** Rows for `pnpm bench`'s table: what Redis adds, measured against the same API without it. */
export function redisRows(r: RedisBenchResult): Row[] {
  return [
    {
      metric: 'Redis: TTFC p50 with / without, 1 client (ms)',
      api: r.ttfc.withRedis.p50,
      direct: r.ttfc.withoutRedis.p50,
    },
    {
      metric: 'Redis: added TTFC p50 (ms)',
      api: r.ttfc.addedP50Ms,
      target: check.atMost(r.ttfc.addedP50Ms, 0.3, 'ms'),
    },
    { metric: 'Redis: added TTFC p99 (ms)', api: r.ttfc.addedP99Ms },
    {
      metric: 'Redis: added CPU per relayed chunk (µs)',
      api: r.cpu.addedUsPerChunk,
      target: check.atMost(r.cpu.addedUsPerChunk, 5, 'µs'),
    },
    {
      metric: 'Redis: RSS per held stream with / without (KB)',
      api: r.hold.withRedisKbPerStream,
      direct: r.hold.withoutRedisKbPerStream,
    },
    {
      metric: 'Redis: operations per chunk, not resumed',
      api: r.ops.perChunk,
      target: check.atMost(r.ops.perChunk, 0.1),
    },
    { metric: 'Redis: catch up on 1,000 missed frames, live (ms)', api: r.catchUp.liveMs },
    { metric: 'Redis: catch up on 1,000 missed frames, stored (ms)', api: r.catchUp.storedMs },
    { metric: 'Redis: errors', api: r.errors, target: check.none(r.errors) },
  ];
}

/**
 * Calls per command the API sent since RESETSTAT. Commands a script runs are counted by
 * INFO too; they are part of their EVALSHA (one round trip), so they are left out, as are
 * this harness's own INFO/CONFIG.
 */
function apiCommands(info: string): Record<string, number> {
  const scriptInternals = new Set(['incr', 'pttl', 'pexpire']);
  const harness = new Set(['info', 'config|resetstat', 'config']);
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = match[1]!;
    if (!scriptInternals.has(name) && !harness.has(name)) calls[name] = Number(match[2]);
  }
  return calls;
}

/**
 * A client that dropped after its first frame comes back through another replica 1,000
 * frames later. Live: an observer on the producer counts the frames produced; once 1,100
 * exist the client resumes (from `last − 1000`) on the other replica and is timed until it
 * has all 1,000 (pub/sub replay from the producer's memory). Stored: the same after the end.
 */
async function measureCatchUp(producer: Service, other: Service, run: number) {
  const frames = 1000;
  const start = await openSse(`${producer.url}/api/chat`, 'POST', {
    body: body(`[sim:slow ms=8000 chunks=4000] catch up ${run}`),
  });
  const streamId = start.headers['x-stream-id'] as string;
  await start.until(1);
  start.close();
  const observer = await openSse(`${producer.url}/api/chat/streams/${streamId}`, 'GET');
  await observer.until(frames + 100);
  const from = observer.lastId() - frames;
  const t0 = performance.now();
  const live = await openSse(`${other.url}/api/chat/streams/${streamId}`, 'GET', {
    headers: { 'last-event-id': String(from) },
  });
  const reached = await live.until(from + frames);
  const liveMs = performance.now() - t0;
  live.close();
  if (reached < from + frames) throw new Error(`live resume ended at ${reached}`);
  const total = await observer.until(Number.MAX_SAFE_INTEGER);
  observer.close();
  // Ended: stored in Redis (a reader came back), served by any replica.
  const t1 = performance.now();
  const stored = await openSse(`${other.url}/api/chat/streams/${streamId}`, 'GET', {
    headers: { 'last-event-id': String(total - frames) },
  });
  const all = await stored.until(total);
  const storedMs = performance.now() - t1;
  stored.close();
  if (all < total) throw new Error(`stored resume ended at ${all}`);
  return { liveMs, storedMs };
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** A raw SSE reader that tracks the last `id:` seen, without parsing on the clock. */
async function openSse(
  url: string,
  method: 'GET' | 'POST',
  init: { body?: string; headers?: Record<string, string> } = {},
) {
  let last = 0;
  let ended = false;
  let tail = '';
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      method,
      agent,
      headers: {
        accept: 'text/event-stream',
        ...(init.body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(init.body) }
          : {}),
        ...init.headers,
      },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(init.body);
  });
  if (res.statusCode !== 200) throw new Error(`${method} ${url}: ${res.statusCode}`);
  res.setEncoding('utf8');
  res.on('data', (text: string) => {
    const scan = tail + text;
    const ids = scan.match(/(?:^|\n)id: (\d+)\n/g);
    if (ids) last = Math.max(last, Number(/(\d+)/.exec(ids[ids.length - 1]!)![1]));
    tail = scan.slice(-32);
    wake();
  });
  const finish = () => {
    ended = true;
    wake();
  };
  res.on('end', finish);
  res.on('error', finish);
  res.on('close', finish);
  return {
    headers: res.headers,
    lastId: () => last,
    /** Resolves with the last id once it reaches `id` or the stream ended. */
    async until(id: number): Promise<number> {
      while (last < id && !ended) await new Promise<void>((resolve) => waiters.push(resolve));
      return last;
    },
    close: () => res.destroy(),
  };
}

/** N slow streams held open through a fresh API: RSS and heap growth per stream. */
async function holdStreams(sim: Service, redisUrl: string | undefined, streams: number) {
  const api = await startBenchApi(sim.url, redisUrl, redisUrl ? 'hold-shared' : 'hold-plain');
  try {
    const heap = async () => {
      const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
      return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN);
    };
    await new Promise((r) => setTimeout(r, 500));
    const rssIdle = rssBytes(api.pid);
    const heapIdle = await heap();
    let started = 0;
    let allStarted!: () => void;
    const opened = new Promise<void>((resolve) => (allStarted = resolve));
    const b = body(`[sim:slow ms=${streams >= 500 ? 15_000 : 2000} chunks=3] held`);
    const done = pool(streams, streams, () =>
      streamOnce(`${api.url}/api/chat`, b, {
        onFirstChunk: () => {
          if (++started === streams) allStarted();
        },
      }),
    );
    await Promise.race([opened, done]);
    await new Promise((r) => setTimeout(r, 300));
    const rssOpen = rssBytes(api.pid);
    const heapOpen = await heap();
    const samples = await done;
    return {
      errors: samples.filter((s) => !s.ok).length,
      kbPerStream: (rssOpen - rssIdle) / 1024 / streams,
      heapKbPerStream: (heapOpen - heapIdle) / 1024 / streams,
    };
  } finally {
    await api.stop();
  }
}

async function startBenchApi(
  simulatorUrl: string,
  redisUrl: string | undefined,
  name: string,
): Promise<ApiService> {
  const api = await startApi(simulatorUrl, [], {
    INSTANCE_ID: name,
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl ?? '',
  });
  // Measured with Redis in use, not while the link is still coming up.
  if (redisUrl) await waitForHealthOk(api.url);
  return api;
}

async function waitForHealthOk(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${url}/health`)
      .then((r) => r.json() as Promise<{ status?: string }>)
      .then((h) => h.status)
      .catch(() => undefined);
    if (status === 'ok') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: Redis never came up`);
}

interface RedisProcess {
  url: string;
  command(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Debian's redis-server on a free loopback port, no persistence (the API tests' helper). */
async function startRedisServer(): Promise<RedisProcess> {
  const server = await startRedis();
  return {
    url: server.url,
    command: (...args: string[]) => rawCommand(server.port, args),
    stop: () => server.stop(),
  };
}

/** One command in RESP; the reply as text, read until the server goes quiet for a moment. */
function rawCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.on('error', reject);
    socket.on('data', (b) => {
      reply += b.toString();
      clearTimeout(quiet);
      quiet = setTimeout(done, 20);
    });
    socket.write(
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  const started = Date.now();
  measureRedis({ smoke }).then(
    (result) => {
      console.log(formatTable(redisRows(result)));
      console.log(JSON.stringify(result, null, 2));
      console.log(`${((Date.now() - started) / 1000).toFixed(1)} s${smoke ? ' (smoke)' : ''}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
