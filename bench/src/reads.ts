import { type Socket, connect } from 'node:net';
import type { Target } from './targets';

export interface ReadCount {
  /** `data: {` frames received. */
  frames: number;
  /** Network reads (socket `data` events) that carried at least one frame. */
  reads: number;
  framesPerRead: number;
  /** Share of frames that arrived alone in their read. */
  aloneShare: number;
  ok: boolean;
}

/**
 * One streamed request over a raw TCP socket, counting what each network read carries. Node
 * emits one `data` event per read(2) on a plain socket, so this shows whether a workload is
 * paced (one frame per read, as a model sends tokens) or batched (many frames per read), at
 * the client, after whatever relay sits in between.
 */
/** Send one POST over a fresh TCP socket whose reads are seen one by one. */
function rawRequest(target: Target, body: string): Socket {
  const url = new URL(target.url);
  const socket = connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  const head = [
    `POST ${url.pathname} HTTP/1.1`,
    `host: ${url.host}`,
    'content-type: application/json',
    'accept: text/event-stream',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(target.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  // write, not end: a server sees a half-closed socket as a client that left and stops.
  socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  return socket;
}

/** Count `data: {` prefixes in a read, with the previous read's tail for prefixes cut across. */
function countFrames(tail: string, read: Buffer): { frames: number; tail: string } {
  // latin1 maps bytes 1:1, so a multi-byte character cut by a read cannot hide a prefix.
  const scan = tail + read.toString('latin1');
  let frames = 0;
  let at = scan.indexOf('data: {', Math.max(0, tail.length - 6));
  while (at !== -1) {
    frames++;
    at = scan.indexOf('data: {', at + 7);
  }
  return { frames, tail: scan.slice(-24) };
}

/**
 * One streamed request over a raw TCP socket, counting what each network read carries. Node
 * emits one `data` event per read(2) on a plain socket, so this shows whether a workload is
 * paced (one frame per read, as a model sends tokens) or batched (many frames per read), at
 * the client, after whatever relay sits in between.
 */
export function countReads(target: Target, body: string): Promise<ReadCount> {
  return new Promise((resolve, reject) => {
    const socket = rawRequest(target, body);
    let frames = 0;
    let reads = 0;
    let alone = 0;
    let tail = '';
    socket.on('data', (buf: Buffer) => {
      const read = countFrames(tail, buf);
      tail = read.tail;
      if (read.frames > 0) reads++;
      if (read.frames === 1) alone++;
      frames += read.frames;
      // Done at [DONE]: whether the server then closes is not what is counted.
      if (tail.includes('data: [DONE]')) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({
        frames,
        reads,
        framesPerRead: frames / Math.max(1, reads),
        aloneShare: alone / Math.max(1, frames),
        ok: tail.includes('data: [DONE]'),
      }),
    );
  });
}
