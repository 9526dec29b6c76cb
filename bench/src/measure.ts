import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export interface StreamSample {
  ok: boolean;
  /** Request start to the first `data:` chunk (ms). */
  ttfcMs: number;
  totalMs: number;
  chunks: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * One streamed chat over a keep-alive socket, timed from the request to the first data frame
 * and to the end. Frames are counted by their `data: {` prefix; no parsing on the clock.
 */
export function streamOnce(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  onFirstChunk?: () => void,
): Promise<StreamSample> {
  return new Promise((resolve) => {
    const start = performance.now();
    let ttfc = -1;
    let chunks = 0;
    let tail = '';
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          const scan = tail + text;
          // Frames already counted may sit in `tail`; only count prefixes that end in new text.
          let at = scan.indexOf('data: {', Math.max(0, tail.length - 6));
          while (at !== -1) {
            if (ttfc < 0) {
              ttfc = performance.now() - start;
              onFirstChunk?.();
            }
            chunks++;
            at = scan.indexOf('data: {', at + 7);
          }
          // Keep enough of the end to see `data: [DONE]` and a frame prefix split across reads.
          tail = scan.slice(-24);
        });
        res.on('end', () =>
          resolve({
            ok: res.statusCode === 200 && tail.includes('data: [DONE]'),
            ttfcMs: ttfc,
            totalMs: performance.now() - start,
            chunks,
          }),
        );
        res.on('error', () =>
          resolve({ ok: false, ttfcMs: ttfc, totalMs: performance.now() - start, chunks }),
        );
      },
    );
    req.on('error', () =>
      resolve({ ok: false, ttfcMs: ttfc, totalMs: performance.now() - start, chunks }),
    );
    req.end(body);
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system, µs) a process has used, from /proc/<pid>/stat. */
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

/** Run `task` for each of `count` items with at most `concurrency` in flight. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
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
