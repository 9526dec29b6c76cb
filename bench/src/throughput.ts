import { median, pool } from './measure';
import { type Target, type TargetName, TARGETS, batched, interleave } from './targets';

export interface ThroughputResult {
  clients: number;
  streams: number;
  /** Median over rounds of chunks delivered per second of wall time. */
  chunksPerSecond: Record<TargetName, number>;
  errors: Record<TargetName, number>;
  rounds: Record<TargetName, number[]>;
}

/**
 * Chunks per second delivered to `clients` clients in a closed loop, with the upstream sending
 * as fast as it can (many frames per read): the most a relay can move on this machine.
 */
export async function throughput(
  targets: Record<TargetName, Target>,
  opts: { clients: number; perClient: number; rounds: number; chunks: number },
): Promise<ThroughputResult> {
  const body = batched(opts.chunks);
  const streams = opts.clients * opts.perClient;
  const errors = { api: 0, pipe: 0, direct: 0 };
  const rounds = await interleave(opts.rounds, TARGETS, async (name) => {
    const t0 = performance.now();
    const samples = await pool(streams, opts.clients, () => targets[name].send(body));
    const seconds = (performance.now() - t0) / 1000;
    errors[name] += samples.filter((s) => !s.ok).length;
    return samples.reduce((sum, s) => sum + s.chunks, 0) / seconds;
  });
  const chunksPerSecond = {} as Record<TargetName, number>;
  for (const name of TARGETS) chunksPerSecond[name] = median(rounds[name]);
  return { clients: opts.clients, streams, chunksPerSecond, errors, rounds };
}
