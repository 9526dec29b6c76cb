import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorJson, type UpstreamError } from './errors';

/** HTTP plumbing of the simulator: bodies in, JSON and paced writes out. */

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Sleep `ms`, cut short when the client goes away; resolves false if it did. */
export async function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return false;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: closed.signal });
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}

/** Pause between the writes of `split`, so each reaches the client as its own read. */
const SPLIT_WRITE_GAP_MS = 3;

/** Write `pieces` one by one with a pause between, then end the response. */
export async function writeSplit(
  res: ServerResponse,
  pieces: Buffer[],
  signal: AbortSignal,
): Promise<void> {
  // Nagle would coalesce small writes; the point here is that they arrive apart.
  res.socket?.setNoDelay(true);
  try {
    for (const piece of pieces) {
      if (signal.aborted) return;
      if (!res.write(piece)) await drained(res);
      await sleep(SPLIT_WRITE_GAP_MS, undefined, { signal });
    }
    if (!signal.aborted) res.end();
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

/** Resolves when `res` can take more data again (or is gone). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY_BYTES) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: UpstreamError) {
  const text = errorJson(error);
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...(error.retryAfterSeconds !== undefined
      ? { 'Retry-After': String(error.retryAfterSeconds) }
      : {}),
  });
  res.end(text);
}
