import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { SseClient } from './sse-client';

export interface StreamSample {
  ok: boolean;
  /** Request start to the read holding the first `data: {` frame (ms), not to the headers. */
  ttfcMs: number;
  totalMs: number;
  chunks: number;
}

const client = new SseClient();

export interface StreamOptions {
  headers?: Record<string, string>;
  /** Called once, when the first `data: {` frame arrives. */
  onFirstChunk?: () => void;
  /** A new connection, closed after the response (streams that will be cut). */
  fresh?: boolean;
  /** Hands out the socket, so a caller can cut the stream. */
  onSocket?: (socket: Socket) => void;
}

/**
 * One streamed chat, timed from the request to the first data frame and to the end. Frames
 * are counted by their `data: {` prefix; no parsing on the clock (see sse-client.ts).
 */
export async function streamOnce(
  url: string | URL,
  body: string,
  options: StreamOptions = {},
): Promise<StreamSample> {
  const start = performance.now();
  let ttfc = -1;
  const res = await client.send(typeof url === 'string' ? new URL(url) : url, body, {
    headers: options.headers,
    fresh: options.fresh,
    onSocket: options.onSocket,
    onFirstFrame: () => {
      ttfc = performance.now() - start;
      options.onFirstChunk?.();
    },
  });
  return {
    ok: res.status === 200 && res.done,
    ttfcMs: ttfc,
    totalMs: performance.now() - start,
    chunks: res.frames,
  };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)
export const CPU_RESOLUTION_US = 1e6 / TICKS_PER_SECOND;

/**
 * CPU time (user + system, µs, all threads) a process has used, from /proc/<pid>/stat. The
 * kernel scales these from its precise runtime, so only the 10 ms tick rounding is lost:
 * workloads are sized to cost many ticks.
 */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) / TICKS_PER_SECOND) * 1e6;
}

/** Resident memory of a process (bytes), from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/**
 * A closed loop: `concurrency` clients, each sending its next request when its previous one
 * finished, until `count` requests were sent.
 */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Start `count` long-lived tasks with at most `opening` of them still starting: a task's slot
 * is free once it calls `started` (e.g. at its first chunk) or ends. Thousands of connections
 * opened in the same millisecond would overflow listen backlogs and measure SYN retries, not
 * the relay. Resolves once every task has started, with the tasks themselves.
 */
export async function ramp<T>(
  count: number,
  opening: number,
  start: (started: () => void) => Promise<T>,
): Promise<Promise<T>[]> {
  const tasks: Promise<T>[] = [];
  await pool(
    count,
    opening,
    () =>
      new Promise<void>((slot) => {
        const task = start(slot);
        tasks.push(task);
        task.then(
          () => slot(),
          () => slot(),
        );
      }),
  );
  return tasks;
}
