import {
  type IncomingMessage,
  type Server as HttpServer,
  createServer as createHttpServer,
  request,
} from 'node:http';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { splitStream, streamOf } from './helpers';

/**
 * A reader that stops reading must stop the relay reading upstream, so the API never buffers
 * an answer in memory. Measured from outside: a byte-counting TCP proxy between the API and
 * the simulator shows upstream bytes stop flowing while the client is paused.
 */
let sim: Simulator;
let proxy: Server;
let upstreamBytes = 0;
const proxySockets = new Set<Socket>();
let stack: Stack;
let baseUrl: string;

beforeAll(async () => {
  sim = await startSimulator();
  proxy = createServer((inbound) => {
    const outbound = connect(sim.port, '127.0.0.1');
    proxySockets.add(inbound).add(outbound);
    outbound.on('data', (b: Buffer) => (upstreamBytes += b.length));
    // pipe() honours backpressure both ways: the proxy never buffers on the API's behalf.
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = sim.url.replace(`:${sim.port}/`, `:${(proxy.address() as AddressInfo).port}/`);
  stack = await startStack({
    SIMULATOR_URL: proxyUrl,
    SIMULATOR_API_KEY: sim.apiKey,
    UPSTREAM_IDLE_TIMEOUT_MS: '20000',
  });
  baseUrl = await stack.listen();
});
afterAll(async () => {
  for (const s of proxySockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await stack.close();
  await sim.close();
});

const SIZE = 6_000_000;

/** Poll `read` until it has not changed for a second; its value then. */
async function settledValue(read: () => number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    const now = read();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (last > 0 && Date.now() - stableSince >= 1000) return last;
  }
  throw new Error(`still changing after ${timeoutMs} ms`);
}

describe('backpressure', () => {
  it(
    'a paused reader pauses the upstream; resuming delivers the whole answer',
    { timeout: 45_000 },
    async () => {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${baseUrl}/api/chat`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          // A fresh connection: reusing one the server is closing as idle is a race (ECONNRESET).
          agent: false,
        });
        req.on('response', resolve).on('error', reject);
        req.end(JSON.stringify(streamOf(`big [sim:markdown size=${SIZE}]`)));
      });
      expect(res.statusCode).toBe(200);
      res.pause();
      res.socket.pause();

      // Every buffer on the way fills up, then the upstream byte count stands still (however
      // long that takes on a busy machine) while the upstream request stays open.
      const stalledAt = await settledValue(() => upstreamBytes);
      expect(sim.openRequests()).toBe(1);
      await sleep(500);
      expect(upstreamBytes).toBe(stalledAt);

      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const ended = new Promise((resolve) => res.on('end', resolve));
      res.socket.resume();
      res.resume();
      await ended;

      // Whatever sat in kernel and stream buffers is a small part of the answer.
      expect(stalledAt).toBeLessThan(text.length / 2);
      const { done, chunks } = await splitStream(text);
      expect(done).toBe(true);
      const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
      expect(content.length).toBeGreaterThanOrEqual(SIZE);
      await sim.waitForOpenRequests(0, 5000);
    },
  );

  it(
    'a paused reader that then disconnects releases its stream and the upstream',
    { timeout: 30_000 },
    async () => {
      for (let round = 0; round < 3; round++) {
        const res = await new Promise<IncomingMessage>((resolve, reject) => {
          const req = request(`${baseUrl}/api/chat`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
          });
          req.on('response', resolve).on('error', reject);
          req.end(JSON.stringify(streamOf(`big ${round} [sim:markdown size=${SIZE}]`)));
        });
        res.pause();
        res.socket.pause();
        // Wait until the relay is blocked on a full socket with frames queued behind it.
        const before = upstreamBytes;
        await expect
          .poll(() => upstreamBytes - before, { timeout: 5000 })
          .toBeGreaterThan(1_000_000);
        await sleep(300);
        res.socket.destroy();
        await sim.waitForOpenRequests(0, 5000);
        await expect.poll(() => stack.lifecycle.streams.size, { timeout: 5000 }).toBe(0);
        expect((await stack.metrics.activeStreams.get()).values[0]?.value).toBe(0);
      }
    },
  );
});

describe('a reader that never reads again', () => {
  let idle: Stack;
  let server: HttpServer;
  let idleUrl: string;
  beforeAll(async () => {
    idle = await startStack({
      UPSTREAM_TOTAL_TIMEOUT_MS: '1500',
      UPSTREAM_IDLE_TIMEOUT_MS: '20000',
    });
    // Our own server, to count the connections it still holds.
    server = createHttpServer(idle.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    idleUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await idle.close();
  });
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );

  /** Open a big stream and stop reading it; resolves once the client socket closes. */
  async function stuckReader(content: string) {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${idleUrl}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        agent: false,
      });
      req.on('response', resolve).on('error', reject);
      req.end(JSON.stringify(streamOf(content)));
    });
    res.pause();
    res.socket.pause();
    return res;
  }

  it(
    'is still ended by the total deadline, upstream and connection released',
    { timeout: 20_000 },
    async () => {
      const res = await stuckReader(`stuck [sim:markdown size=${SIZE}]`);
      // The stream began (its connection open); on a busy machine the 1.5 s deadline may
      // already be near, so what follows waits on state rather than sampling it once.
      expect(res.statusCode).toBe(200);
      await expect.poll(() => idle.lifecycle.streams.size, { timeout: 8000 }).toBe(0);
      expect((await idle.metrics.activeStreams.get()).values[0]?.value).toBe(0);
      await idle.sim.waitForOpenRequests(0, 5000);
      // The API let go of the connection, though the client has not read a byte since.
      await expect.poll(connections, { timeout: 5000 }).toBe(0);
      res.socket.destroy();
    },
  );

  it('does not hold up a graceful drain past its deadline', { timeout: 20_000 }, async () => {
    // A stack of its own without the short total deadline: only the drain may end this stream,
    // however slowly the machine runs.
    const patient = await startStack({ UPSTREAM_TOTAL_TIMEOUT_MS: '600000' });
    const patientServer = createHttpServer(patient.app);
    await new Promise<void>((resolve) => patientServer.listen(0, '127.0.0.1', resolve));
    const patientUrl = `http://127.0.0.1:${(patientServer.address() as AddressInfo).port}`;
    const lifecycle = patient.lifecycle;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${patientUrl}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        agent: false,
      });
      req.on('response', resolve).on('error', reject);
      req.end(JSON.stringify(streamOf(`stuck again [sim:markdown size=${SIZE}]`)));
    });
    res.pause();
    res.socket.pause();
    await expect.poll(() => lifecycle.streams.size).toBe(1);
    await sleep(300); // let the relay block on the full socket
    const outcome = await Promise.race([
      lifecycle.drain(200),
      sleep(5000).then(() => 'hung' as const),
    ]);
    expect(outcome).toEqual({ finished: 0, terminated: 1 });
    await patient.sim.waitForOpenRequests(0, 5000);
    // The API let go of the connection although the client never read again.
    const held = () =>
      new Promise<number>((resolve, reject) =>
        patientServer.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      );
    await expect.poll(held, { timeout: 5000 }).toBe(0);
    res.socket.destroy();
    await new Promise((resolve) => patientServer.close(resolve));
    await patient.close();
  });
});
