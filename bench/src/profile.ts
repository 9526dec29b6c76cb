import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuPlan } from './cpu';
import { cpuMicros, pool } from './measure';
import { type ProfileSummary, formatSummary, readProfile, summarise } from './profile-top';
import { ROOT, type Service, startApi } from './processes';
import { apiTarget, paced } from './targets';

export const PROFILE_DIR = join(ROOT, 'bench/results/profiles');

/** The monotonic clock in µs: the clock V8 stamps its profile samples with. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface PacedProfile {
  file: string;
  workloads: {
    label: 'short' | 'long';
    chunks: number;
    streams: number;
    cpuUs: number;
    summary: ProfileSummary;
  }[];
}

/**
 * `pnpm bench --profile`: the paced workloads of the CPU figure (short streams: per-request
 * cost; long ones: per-chunk cost) against an API started under `node --cpu-prof`. One profile
 * is written (bench/results/profiles) when the API exits; each workload's top frames by self
 * time are read from the samples inside its own time window, so start-up and warm-up are left
 * out.
 */
export async function profilePaced(
  sim: Service,
  plan: CpuPlan & { warmup: number },
): Promise<PacedProfile> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const name = `api-paced-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const api = await startApi(sim.url, [
    '--cpu-prof',
    `--cpu-prof-dir=${PROFILE_DIR}`,
    `--cpu-prof-name=${name}`,
    // 5 samples per ms: a request costs well under one ms.
    '--cpu-prof-interval=200',
  ]);
  const t = apiTarget(api);
  const workloads = [
    { label: 'short' as const, chunks: plan.shortChunks, streams: plan.shortStreams },
    { label: 'long' as const, chunks: plan.longChunks, streams: plan.longStreams },
  ];
  const windows: { fromUs: number; toUs: number; cpuUs: number }[] = [];
  try {
    await pool(plan.warmup, plan.clients, () => t.send(paced(plan.shortChunks)));
    await pool(Math.ceil(plan.warmup / 20), plan.clients, () => t.send(paced(plan.longChunks)));
    for (const w of workloads) {
      const cpu0 = cpuMicros(api.pid);
      const fromUs = monotonicUs();
      const samples = await pool(w.streams, plan.clients, () => t.send(paced(w.chunks)));
      windows.push({ fromUs, toUs: monotonicUs(), cpuUs: cpuMicros(api.pid) - cpu0 });
      const failed = samples.filter((s) => !s.ok).length;
      if (failed) throw new Error(`${failed} of ${w.streams} profiled streams failed`);
    }
  } finally {
    await api.stop();
  }
  const file = join(PROFILE_DIR, name);
  const profile = readProfile(file);
  const result: PacedProfile = {
    file,
    workloads: workloads.map((w, i) => ({
      ...w,
      cpuUs: windows[i]!.cpuUs,
      summary: summarise(profile, 15, windows[i]),
    })),
  };
  console.log(`profile: ${file}`);
  for (const w of result.workloads) {
    console.log(
      `\npaced ${w.label} (${w.streams} streams of ${w.chunks} chunks, ${plan.clients} clients; ${(w.cpuUs / w.streams).toFixed(0)} µs CPU per stream):`,
    );
    console.log(formatSummary(w.summary));
  }
  return result;
}
