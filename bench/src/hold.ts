import { ramp, rssBytes, sleep } from './measure';
import type { ApiService } from './processes';
import { RELAYS, type RelayName, type Target, chatBody } from './targets';

export interface HoldResult {
  streams: number;
  /** Streams that had their first chunk when memory was read. */
  openAtOnce: Record<RelayName, number>;
  errors: Record<RelayName, number>;
  rssIdleMb: Record<RelayName, number>;
  rssPeakMb: Record<RelayName, number>;
  kbPerStream: Record<RelayName, number>;
  /** The API's V8 heap growth per stream, from its own metrics. */
  apiHeapKbPerStream: number;
  /** The simulator holding the other end of both relays' streams: a bare Node HTTP stream. */
  simKbPerStream: number;
}

/** API heap in use, from its own Prometheus metrics (prom-client's default metrics). */
async function apiHeapUsed(api: ApiService): Promise<number> {
  const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

const perRelay = <T>(f: (name: RelayName) => T) => ({ api: f('api'), pipe: f('pipe') });

/**
 * Many slow streams held open at once through each relay, on fresh processes (so growth is the
 * streams', not left over from earlier load). Memory is read while every stream is open and
 * idle between chunks. Both relays are held at the same time: what is read is each process's
 * own memory, and the run only waits out the streams once.
 */
export async function holdStreams(
  targets: Record<RelayName, Target>,
  api: ApiService,
  simPid: number,
  opts: {
    streams: number;
    holdMs: number;
    opening: number;
    /** Quiet time before the idle memory is read. */
    settleMs: number;
  },
): Promise<HoldResult> {
  const body = chatBody(`[sim:slow ms=${opts.holdMs} chunks=3]`);
  await sleep(opts.settleMs);
  const idle = perRelay((name) => rssBytes(targets[name].pid));
  const simIdle = rssBytes(simPid);
  const heapIdle = await apiHeapUsed(api);
  const peak = { ...idle };
  const sampler = setInterval(() => {
    for (const name of RELAYS) peak[name] = Math.max(peak[name], rssBytes(targets[name].pid));
  }, 100);
  const started = { api: 0, pipe: 0 };
  let allStarted!: () => void;
  const opened = new Promise<void>((resolve) => (allStarted = resolve));
  const total = opts.streams * RELAYS.length;
  const done = Promise.all(
    RELAYS.map(async (name) => {
      const tasks = await ramp(opts.streams, opts.opening, (slot) =>
        targets[name].send(body, {
          onFirstChunk: () => {
            slot();
            started[name]++;
            if (started.api + started.pipe === total) allStarted();
          },
        }),
      );
      return Promise.all(tasks);
    }),
  );
  await Promise.race([opened, done]);
  await sleep(300);
  const open = perRelay((name) => rssBytes(targets[name].pid));
  const simOpen = rssBytes(simPid);
  const heapOpen = await apiHeapUsed(api);
  const openAtOnce = { ...started };
  const [apiSamples, pipeSamples] = await done;
  clearInterval(sampler);
  const samples = { api: apiSamples!, pipe: pipeSamples! };
  const mb = (b: number) => b / 2 ** 20;
  return {
    streams: opts.streams,
    openAtOnce,
    errors: perRelay((name) => samples[name].filter((s) => !s.ok).length),
    rssIdleMb: perRelay((name) => mb(idle[name])),
    rssPeakMb: perRelay((name) => mb(peak[name])),
    kbPerStream: perRelay((name) => (open[name] - idle[name]) / 1024 / opts.streams),
    apiHeapKbPerStream: (heapOpen - heapIdle) / 1024 / opts.streams,
    simKbPerStream: (simOpen - simIdle) / 1024 / total,
  };
}
