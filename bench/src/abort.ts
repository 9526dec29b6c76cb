import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { cpuMicros, median, percentile, ramp, sleep } from './measure';
import { type Target, type TargetName, TARGETS, chatBody, interleave } from './targets';

export interface AbortRound {
  /** From the first socket destroyed to the simulator having seen every stream close (ms). */
  allClosedMs: number;
  /** When the simulator saw each stream close, by its open count (ms after the first destroy). */
  closeMs: number[];
  /** CPU the target spent from the destroys until all closed + 100 ms. */
  cpuUs: number;
  /** Streams that did not open (first chunk) before the cut. */
  notOpened: number;
  /** How long this process took to destroy the sockets (ms): part of every target's figure. */
  destroyedMs: number;
  /** From the cut to all closed + 100 ms on the monotonic clock (µs), for a CPU profile. */
  window: { fromUs: number; toUs: number };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface AbortResult {
  streams: number;
  rounds: number;
  /** The worst round's time until the upstream saw all closed (ms); p99 of `rounds` rounds. */
  allClosedWorstMs: Record<TargetName, number>;
  allClosedMedianMs: Record<TargetName, number>;
  /** Per-stream time until the upstream saw it closed, pooled over rounds (ms). */
  closeP50Ms: Record<TargetName, number>;
  closeP99Ms: Record<TargetName, number>;
  /** Median over rounds of the CPU the target spent on the aborts (ms). */
  cpuMs: Record<TargetName, number>;
  errors: Record<TargetName, number>;
  /** Median over rounds of the time this process took to destroy the sockets (ms). */
  destroyMs: Record<TargetName, number>;
  perRound: Record<TargetName, Omit<AbortRound, 'closeMs' | 'window'>[]>;
}

export interface AbortPlan {
  streams: number;
  rounds: number;
  /** Streams still waiting for their first chunk at once, while opening. */
  opening: number;
  /** Time allowed for all streams to open. */
  openTimeoutMs: number;
  /** Time allowed for the upstream to see all closed; beyond it the round counts as ∞. */
  timeoutMs: number;
}

const statsAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function statsOnce(simOrigin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${simOrigin}/stats`, { agent: statsAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve((JSON.parse(text) as { openRequests: number }).openRequests));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The simulator's count of chat requests whose response has not closed yet. */
export async function openUpstream(simOrigin: string): Promise<number> {
  // A kept-alive socket the simulator closes just as it is reused fails once; ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await statsOnce(simOrigin);
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function waitForOpen(simOrigin: string, count: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let open = await openUpstream(simOrigin);
  while (open !== count && performance.now() < deadline) {
    await sleep(5);
    open = await openUpstream(simOrigin);
  }
  return open;
}

/** A fresh connection's stream: open at its first frame; resolves (opened?) once it ended. */
async function openStream(target: Target, body: string, sockets: Socket[], started: () => void) {
  let open = false;
  await target.send(body, {
    fresh: true,
    onSocket: (socket) => sockets.push(socket),
    onFirstChunk: () => {
      open = true;
      started();
    },
  });
  return open;
}

/**
 * `streams` streams that are delivering chunks are cut at once, as when tabs close: the client
 * destroys every socket in one go, and the simulator is polled (~1 ms apart) until it has seen
 * every upstream request close. The load generator's own work on the cut delays every
 * target's figure alike; `destroyedMs` says how much.
 */
export async function abortRound(
  target: Target,
  simOrigin: string,
  opts: AbortPlan,
): Promise<AbortRound> {
  const { streams, timeoutMs, openTimeoutMs } = opts;
  // About one chunk a second: streams that are alive, not busy, and outlive the opening.
  const ms = Math.max(60_000, 2 * (openTimeoutMs + timeoutMs));
  const body = chatBody(`[sim:slow ms=${ms} chunks=${Math.round(ms / 1000)}]`);
  const base = await waitForOpen(simOrigin, 0, timeoutMs);
  const sockets: Socket[] = [];
  const starting = ramp(streams, opts.opening, (started) =>
    openStream(target, body, sockets, started),
  );
  const tasks = await Promise.race([starting, sleep(openTimeoutMs).then(() => undefined)]);
  // Every upstream request is open (the API may still be between its first chunk and ours).
  await waitForOpen(simOrigin, base + streams, timeoutMs);

  const cpu0 = cpuMicros(target.pid);
  const fromUs = monotonicUs();
  const t0 = performance.now();
  for (const socket of sockets) socket.destroy();
  const destroyedMs = performance.now() - t0;
  const closeMs: number[] = [];
  let open = base + streams;
  while (open > base && performance.now() - t0 < timeoutMs) {
    const now = await openUpstream(simOrigin);
    const at = performance.now() - t0;
    for (let k = open; k > Math.max(now, base); k--) closeMs.push(at);
    open = Math.min(open, now);
    if (open > base) await sleep(1);
  }
  const allClosedMs = open <= base ? (closeMs.at(-1) ?? 0) : Number.POSITIVE_INFINITY;
  await sleep(100);
  const cpuUs = cpuMicros(target.pid) - cpu0;
  const window = { fromUs, toUs: monotonicUs() };
  const opened = tasks ? (await Promise.all(tasks)).filter(Boolean).length : 0;
  return { allClosedMs, closeMs, cpuUs, notOpened: streams - opened, destroyedMs, window };
}

/** Aborts of many streams at once, for every target, interleaved over `rounds` rounds. */
export async function aborts(
  targets: Record<TargetName, Target>,
  simOrigin: string,
  opts: AbortPlan,
): Promise<AbortResult> {
  const rounds = await interleave(opts.rounds, TARGETS, (name) =>
    abortRound(targets[name], simOrigin, opts),
  );
  const by = <T>(f: (rs: AbortRound[]) => T) => {
    const out = {} as Record<TargetName, T>;
    for (const name of TARGETS) out[name] = f(rounds[name]);
    return out;
  };
  const pooled = (rs: AbortRound[]) => rs.flatMap((r) => r.closeMs);
  return {
    streams: opts.streams,
    rounds: opts.rounds,
    allClosedWorstMs: by((rs) => Math.max(...rs.map((r) => r.allClosedMs))),
    allClosedMedianMs: by((rs) => median(rs.map((r) => r.allClosedMs))),
    closeP50Ms: by((rs) => percentile(pooled(rs), 50)),
    closeP99Ms: by((rs) => percentile(pooled(rs), 99)),
    cpuMs: by((rs) => median(rs.map((r) => r.cpuUs / 1000))),
    destroyMs: by((rs) => median(rs.map((r) => r.destroyedMs))),
    // A stream that never opened, or that the upstream never saw close, is an error.
    errors: by((rs) =>
      rs.reduce((sum, r) => sum + r.notOpened + (opts.streams - r.closeMs.length), 0),
    ),
    perRound: by((rs) => rs.map(({ closeMs: _, window: _w, ...r }) => r)),
  };
}
