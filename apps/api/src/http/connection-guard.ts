import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Tracked {
  /** A request is being handled (or its response is streaming): never evicted. */
  busy: boolean;
}

/**
 * A cap on open connections that keeps the API answering while it is hit. Node's own
 * `maxConnections` refuses every new connection at the cap, /health included, so a slowloris
 * client holding the cap shuts everyone out. Here a new connection over the cap evicts the
 * oldest connection that is not handling a request (still sending its headers, or idle
 * between keep-alive requests); only when every connection is busy is the new one refused.
 * Busy ones are bounded by the stream caps and by the request timeout for slow bodies.
 */
export function guardConnections(
  server: Server,
  options: { max: number; onCapHit(): void },
): { open(): number } {
  const sockets = new Map<Socket, Tracked>();

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { busy: false });
    socket.once('close', () => sockets.delete(socket));
    if (sockets.size <= options.max) return;
    options.onCapHit();
    for (const [candidate, state] of sockets) {
      // Map order is arrival order: the first idle one found is the oldest.
      if (!state.busy && candidate !== socket) {
        candidate.destroy();
        sockets.delete(candidate);
        return;
      }
    }
    socket.destroy();
    sockets.delete(socket);
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    state.busy = true;
    res.once('close', () => {
      state.busy = false;
    });
  });

  return { open: () => sockets.size };
}

/**
 * The soft limit on open files of this process (Linux), or undefined elsewhere. Every
 * streaming answer holds two descriptors (the client's connection and the upstream's).
 */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Headroom for the listening sockets, log files, DNS, the metrics port and the like. */
const RESERVED_FDS = 64;

/**
 * Caps that fit the descriptors the process really has: a cap above the limit would fail as
 * EMFILE (accept stops, /health goes silent) instead of as a clean refusal.
 */
export function capsWithinFileLimit(
  caps: { maxConnections: number; maxStreams: number },
  limit = openFileLimit(),
): { maxConnections: number; maxStreams: number } {
  if (!limit) return caps;
  const usable = Math.max(8, limit - RESERVED_FDS);
  const maxStreams = Math.min(caps.maxStreams, Math.floor(usable / 2));
  const maxConnections = Math.min(caps.maxConnections, usable - maxStreams);
  return { maxConnections, maxStreams };
}
