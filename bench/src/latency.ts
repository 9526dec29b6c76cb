import { median, percentile, pool, type StreamSample } from './measure';
import { type Target, type TargetName, TARGETS, interleave, paced } from './targets';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface LatencyResult {
  clients: number;
  /** Samples per target per round. */
  samples: number;
  /** Median over rounds of each round's percentile (ms). */
  ttfc: Record<TargetName, Percentiles>;
  /** Median over rounds of (target − direct) in the same round (ms): what the relay adds. */
  added: Record<TargetName, Percentiles>;
  errors: Record<TargetName, number>;
  rounds: Record<TargetName, Percentiles[]>;
}

const ofRound = (samples: StreamSample[]): Percentiles => {
  const ttfc = samples.filter((s) => s.ok).map((s) => s.ttfcMs);
  return { p50: percentile(ttfc, 50), p99: percentile(ttfc, 99) };
};

/**
 * Time to the first `data: {` byte (not the headers) of a paced answer, for `clients` clients
 * in a closed loop, each sending `perClient` requests per round. With more than one client the
 * first request of each is left out: it measures the burst of connecting, not the steady state.
 */
export async function timeToFirstChunk(
  targets: Record<TargetName, Target>,
  opts: { clients: number; perClient: number; rounds: number; chunks: number },
): Promise<LatencyResult> {
  const body = paced(opts.chunks);
  const skip = opts.clients > 1 ? opts.clients : 0;
  const errors = { api: 0, pipe: 0, direct: 0 };
  const rounds = await interleave(opts.rounds, TARGETS, async (name) => {
    const samples = await pool(opts.clients * opts.perClient, opts.clients, () =>
      targets[name].send(body),
    );
    errors[name] += samples.filter((s) => !s.ok).length;
    return ofRound(samples.slice(skip));
  });
  const ttfc = {} as Record<TargetName, Percentiles>;
  const added = {} as Record<TargetName, Percentiles>;
  for (const name of TARGETS) {
    const rs = rounds[name];
    ttfc[name] = { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) };
    added[name] = {
      p50: median(rs.map((r, i) => r.p50 - rounds.direct[i]!.p50)),
      p99: median(rs.map((r, i) => r.p99 - rounds.direct[i]!.p99)),
    };
  }
  return {
    clients: opts.clients,
    samples: opts.clients * opts.perClient - skip,
    ttfc,
    added,
    errors,
    rounds,
  };
}
