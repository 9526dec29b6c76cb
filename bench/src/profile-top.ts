import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The parts of a V8 .cpuprofile (as `node --cpu-prof` writes it) that self time needs. */
export interface CpuProfile {
  /** µs on the monotonic clock (the one `process.hrtime` reads). */
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  /** µs between consecutive samples; timeDeltas[i] precedes samples[i]. */
  timeDeltas: number[];
}

export interface Frame {
  functionName: string;
  /** Shortened: a package's path inside node_modules, or the file under the repository. */
  location: string;
  selfMs: number;
  /** Share of the busy time (everything but `(idle)`). */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  frames: Frame[];
  /** Self time summed by package (or `node:` internals, or the repository's own code). */
  modules: { module: string; selfMs: number; share: number }[];
}

/** `…/node_modules/.pnpm/x@1/node_modules/x/lib/a.js` → `x/lib/a.js`; repository files relative. */
export function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  const repo = /\/(apps|packages|bench)\/.*$/.exec(url);
  return repo ? repo[0].slice(1) : url;
}

export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const [scope, name] = url.slice(nm + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  return shortUrl(url).split('/').slice(0, 2).join('/');
}

/** A span of the monotonic clock, in µs: `process.hrtime.bigint() / 1000n` in any process. */
export interface Window {
  fromUs: number;
  toUs: number;
}

/**
 * Self time per function (callFrame functionName + url), summed over every node of the call
 * tree it appears in: each sample is charged the time until the next sample, at most twice the
 * usual interval. (On a shared machine the process is sometimes descheduled for tens of ms;
 * uncapped, that wall time would land on whichever frame happened to be running.) With
 * `window`, only samples inside it count (e.g. the workload, not the process's start-up).
 */
export function summarise(profile: CpuProfile, top = 15, window?: Window): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const cap = 2 * medianDelta(profile.timeDeltas);
  const self = new Map<string, { functionName: string; url: string; line: number; us: number }>();
  const modules = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const us = Math.min(cap, profile.timeDeltas[i + 1] ?? 0);
    const frame = byId.get(profile.samples[i]!);
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = `${frame.functionName}\u0000${frame.url}`;
    const entry = self.get(key) ?? {
      functionName: frame.functionName || '(anonymous)',
      url: frame.url,
      line: frame.lineNumber + 1,
      us: 0,
    };
    entry.us += us;
    self.set(key, entry);
    const module = moduleOf(frame.url, frame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    frames: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({
        functionName: e.functionName,
        location: e.url ? `${shortUrl(e.url)}:${e.line}` : '',
        selfMs: e.us / 1000,
        share: e.us / busyUs,
      })),
    modules: [...modules.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, us]) => ({ module, selfMs: us / 1000, share: us / busyUs })),
  };
}

function medianDelta(deltas: number[]): number {
  const sorted = deltas.filter((d) => d > 0).sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
  const ms = (x: number) => x.toFixed(1).padStart(8);
  return [
    `busy ${(s.totalMs - s.idleMs).toFixed(0)} ms of ${s.totalMs.toFixed(0)} ms sampled`,
    'self ms   busy  function (location)',
    ...s.frames.map(
      (f) =>
        `${ms(f.selfMs)} ${pct(f.share)}  ${f.functionName}${f.location ? ` (${f.location})` : ''}`,
    ),
    'by module:',
    ...s.modules.map((m) => `${ms(m.selfMs)} ${pct(m.share)}  ${m.module}`),
  ].join('\n');
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

// `pnpm --filter @zai-chat/bench profile:top <file.cpuprofile> [top] [fromUs toUs]`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-top <file.cpuprofile> [top=15] [fromUs toUs]');
    process.exit(2);
  }
  const window = from && to ? { fromUs: Number(from), toUs: Number(to) } : undefined;
  console.log(formatSummary(summarise(readProfile(file), Number(top ?? 15), window)));
}
