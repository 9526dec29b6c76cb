import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AbortPlan, abortRound } from './abort';
import type { CpuPlan } from './cpu';
import { cpuMicros, pool } from './measure';
import {
  type ProfileSummary,
  type Window,
  formatSummary,
  readProfile,
  summarise,
} from './profile-top';
import { ROOT, type Service, startApi } from './processes';
import { apiTarget, paced, warm } from './targets';

export const PROFILE_DIR = join(ROOT, 'bench/results/profiles');

/** The monotonic clock in µs: the clock V8 stamps its profile samples with. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface PacedProfile {
  file: string;
  workloads: {
    label: 'short' | 'long' | 'aborts';
    chunks: number;
    streams: number;
    cpuUs: number;
    /** The workload's span on the monotonic clock: `profile:top <file> 15 <fromUs> <toUs>`. */
    window: Window;
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
  abort: AbortPlan,
): Promise<PacedProfile> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const name = `api-paced-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const api = await startApi(sim.url, [
    '--cpu-prof',
    `--cpu-prof-dir=${PROFILE_DIR}`,
    `--cpu-prof-name=${name}`,
    // 2 samples per ms (the default is 1): a request costs about one ms.
    '--cpu-prof-interval=500',
  ]);
  const t = apiTarget(api);
  const workloads = [
    { label: 'short' as const, chunks: plan.shortChunks, streams: plan.shortStreams },
    { label: 'long' as const, chunks: plan.longChunks, streams: plan.longStreams.paced },
  ];
  const windows: (Window & { cpuUs: number })[] = [];
  try {
    await warm(t, plan.warmup);
    for (const w of workloads) {
      const cpu0 = cpuMicros(api.pid);
      const fromUs = monotonicUs();
      const samples = await pool(w.streams, plan.clients, () => t.send(paced(w.chunks)));
      windows.push({ fromUs, toUs: monotonicUs(), cpuUs: cpuMicros(api.pid) - cpu0 });
      const failed = samples.filter((s) => !s.ok).length;
      if (failed) throw new Error(`${failed} of ${w.streams} profiled streams failed`);
    }
    // Then one round of the abort figure: the window runs from the cut to all closed + 100 ms.
    const cut = await abortRound(t, new URL(sim.url).origin, abort);
    windows.push({ ...cut.window, cpuUs: cut.cpuUs });
  } finally {
    await api.stop();
  }
  const file = join(PROFILE_DIR, name);
  const profile = readProfile(file);
  const result: PacedProfile = {
    file,
    workloads: [...workloads, { label: 'aborts' as const, chunks: 0, streams: abort.streams }].map(
      (w, i) => ({
        ...w,
        cpuUs: windows[i]!.cpuUs,
        window: { fromUs: windows[i]!.fromUs, toUs: windows[i]!.toUs },
        summary: summarise(profile, 15, windows[i]),
      }),
    ),
  };
  console.log(`profile: ${file}`);
  for (const w of result.workloads) {
    const what =
      w.label === 'aborts'
        ? `${w.streams} streams cut at once`
        : `${w.streams} streams of ${w.chunks} chunks, ${plan.clients} clients`;
    console.log(
      `\n${w.label === 'aborts' ? 'aborts' : `paced ${w.label}`} (${what}; ${(w.cpuUs / w.streams).toFixed(0)} µs CPU per stream):`,
    );
    console.log(formatSummary(w.summary));
  }
  return result;
}
