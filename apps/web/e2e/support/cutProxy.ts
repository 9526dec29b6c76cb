import { once } from 'node:events';
import { type Socket, connect, createServer } from 'node:net';

/**
 * A TCP pass-through on a loopback port of its own, whose open connections can be cut: what a
 * lost network does to a stream. (Chromium's emulated offline fails new requests but leaves
 * open connections alone, so `context.setOffline` alone would not interrupt an answer.)
 */
export interface CutProxy {
  url: string;
  /** Destroy every connection open now; new ones still go through. */
  cut(): number;
  stop(): Promise<void>;
}

export async function startCutProxy(target: { host: string; port: number }): Promise<CutProxy> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      const count = open.size;
      for (const socket of [...open]) socket.destroy();
      return count;
    },
    async stop() {
      for (const socket of [...open]) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
