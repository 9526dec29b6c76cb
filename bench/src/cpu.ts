import { CPU_RESOLUTION_US, cpuMicros, median, pool } from './measure';
import {
  type CpuRelayName,
  RELAYS,
  type RelayName,
  type Target,
  batched,
  interleave,
  paced,
} from './targets';

export interface CpuPlan {
  clients: number;
  rounds: number;
  shortChunks: number;
  longChunks: number;
  shortStreams: number;
  /** Long paced streams take ~2 ms a chunk; long batched ones are cheap and need more. */
  longStreams: { paced: number; batched: number };
}

interface Workload {
  streams: number;
  /** Frames per stream as the client counted them (the simulator adds a finish frame). */
  frames: number;
  cpuUs: number;
  errors: number;
}

export interface CpuRound {
  short: Workload;
  long: Workload;
  perRequestUs: number;
  perChunkUs: number;
}

export interface CpuResult {
  mode: 'paced' | 'batched';
  /** Median over rounds (`express` only when it was measured). */
  perRequestUs: PerRelay;
  perChunkUs: PerRelay;
  errors: PerRelay;
  /** CPU is read in 10 ms ticks: each workload's `cpuUs` is a multiple of this; size them to many. */
  resolutionUs: number;
  rounds: Partial<Record<CpuRelayName, CpuRound[]>>;
}

type PerRelay = Record<RelayName, number> & { express?: number };

async function workload(target: Target, body: string, streams: number, clients: number) {
  const cpu0 = cpuMicros(target.pid);
  const samples = await pool(streams, clients, () => target.send(body));
  const cpuUs = cpuMicros(target.pid) - cpu0;
  const ok = samples.filter((s) => s.ok);
  return {
    streams,
    frames: ok.reduce((sum, s) => sum + s.chunks, 0) / Math.max(1, ok.length),
    cpuUs,
    errors: streams - ok.length,
  } satisfies Workload;
}

/**
 * CPU of the relay's process, split into a cost per request and a cost per extra chunk: a
 * fixed workload of short streams gives the former (CPU ÷ streams), a workload of long ones
 * the latter ((long − short per stream) ÷ (frame difference)). Paced: one chunk per network
 * read, as a model sends tokens; batched: many frames per read.
 */
export async function cpuCost(
  targets: Record<RelayName, Target> & { express?: Target },
  mode: 'paced' | 'batched',
  plan: CpuPlan,
): Promise<CpuResult> {
  const relays: CpuRelayName[] = targets.express ? [...RELAYS, 'express'] : [...RELAYS];
  const make = mode === 'paced' ? paced : batched;
  const shortBody = make(plan.shortChunks);
  const longBody = make(plan.longChunks);
  const rounds = await interleave(plan.rounds, relays, async (name) => {
    const t = targets[name]!;
    const short = await workload(t, shortBody, plan.shortStreams, plan.clients);
    const long = await workload(t, longBody, plan.longStreams[mode], plan.clients);
    const perStreamShort = short.cpuUs / short.streams;
    const perStreamLong = long.cpuUs / long.streams;
    return {
      short,
      long,
      perRequestUs: perStreamShort,
      perChunkUs: (perStreamLong - perStreamShort) / Math.max(1, long.frames - short.frames),
    } satisfies CpuRound;
  });
  const perRequestUs = {} as PerRelay;
  const perChunkUs = {} as PerRelay;
  const errors = {} as PerRelay;
  for (const name of relays) {
    const rs = rounds[name];
    perRequestUs[name] = median(rs.map((r) => r.perRequestUs));
    perChunkUs[name] = median(rs.map((r) => r.perChunkUs));
    errors[name] = rs.reduce((sum, r) => sum + r.short.errors + r.long.errors, 0);
  }
  return { mode, perRequestUs, perChunkUs, errors, resolutionUs: CPU_RESOLUTION_US, rounds };
}
