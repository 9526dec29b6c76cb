import { once } from 'node:events';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy on loopback that delays every piece of data, both ways, by `latencyMs` (changed
 * at run time), keeping order: a slow network between the API and Redis, without touching
 * either of them.
 */
export interface LatencyProxy {
  readonly port: number;
  latencyMs: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(targetPort: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const state = { latencyMs: 0 };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    relay(client, upstream, state);
    relay(upstream, client, state);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Forward `from` → `to`, each piece no earlier than `latencyMs` after it arrived, in order. */
function relay(from: Socket, to: Socket, state: { latencyMs: number }): void {
  let tail = Promise.resolve();
  from.on('data', (data: Buffer) => {
    const due = Date.now() + state.latencyMs;
    tail = tail.then(async () => {
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!to.destroyed) to.write(data);
    });
  });
}
