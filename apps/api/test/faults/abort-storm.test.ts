import { type Server, createServer, Agent, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '@zai-chat/zai-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { streamOf } from './helpers';

/**
 * 1,000 clients that give up at random moments must leave nothing behind: no upstream
 * request, no tracked stream, no gauge count, no socket or listener that outlives them.
 */
let stack: Stack;
let server: Server;
let baseUrl: string;
beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '1' });
  // Our own server around the app, so its listeners and sockets can be inspected.
  server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
});

type Phase = 'before-headers' | 'at-headers' | 'mid-stream';
const PHASES: Phase[] = ['before-headers', 'at-headers', 'mid-stream'];

async function abortedStream(
  i: number,
  phase: Phase,
  rand: () => number,
): Promise<Phase | 'completed'> {
  const controller = new AbortController();
  const init = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(streamOf(`storm ${i} [sim:slow ms=3000]`)),
    signal: controller.signal,
  };
  try {
    if (phase === 'before-headers') {
      const pending = fetch(`${baseUrl}/api/chat`, init);
      await sleep(Math.floor(rand() * 15));
      controller.abort();
      await pending.then((r) => r.body?.cancel()).catch(() => undefined);
      return phase;
    }
    const res = await fetch(`${baseUrl}/api/chat`, init);
    if (phase === 'at-headers') {
      controller.abort();
      return phase;
    }
    const reader = res.body!.getReader();
    const reads = 1 + Math.floor(rand() * 30);
    for (let n = 0; n < reads; n++) {
      const { done } = await reader.read();
      if (done) return 'completed';
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    return phase;
  } catch (err) {
    if ((err as Error).name === 'AbortError') return phase;
    throw err;
  }
}

function listenerTotal(emitter: NodeJS.EventEmitter): number {
  return emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);
}

const resourceCount = () => process.getActiveResourcesInfo().length;

describe('abort storm', () => {
  it('1,000 streams aborted at random moments leak nothing', { timeout: 60_000 }, async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    // Warm up once so lazily created pools and timers are part of the baseline.
    await abortedStream(-1, 'mid-stream', () => 0.5);
    await stack.sim.waitForOpenRequests(0, 5000);
    const resourcesBefore = resourceCount();
    const serverListenersBefore = listenerTotal(server);
    const processListenersBefore = listenerTotal(process);

    const seed = Date.now() % 2 ** 31;
    // Deterministic randomness: a failing run can be replayed from its seed.
    const rand = prng(seed);
    const TOTAL = 1000;
    const CONCURRENCY = 50;
    const outcomes: Record<string, number> = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          const phase = PHASES[Math.floor(rand() * PHASES.length)]!;
          const outcome = await abortedStream(i, phase, rand);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
      }),
    );
    process.off('warning', onWarning);

    expect(
      Object.values(outcomes).reduce((a, b) => a + b, 0),
      `seed ${seed}`,
    ).toBe(TOTAL);
    for (const phase of PHASES)
      expect(outcomes[phase], `seed ${seed}: ${phase}`).toBeGreaterThan(200);
    // Most aborts happened while the upstream was engaged, not only before it was called.
    expect(stack.sim.totalRequests()).toBeGreaterThan(500);

    await stack.sim.waitForOpenRequests(0, 10_000);
    await expect.poll(() => stack.lifecycle.streams.size, { timeout: 5000 }).toBe(0);
    expect((await stack.metrics.activeStreams.get()).values[0]?.value).toBe(0);
    expect(warnings).toEqual([]);
    expect(listenerTotal(server)).toBe(serverListenersBefore);
    expect(listenerTotal(process)).toBeLessThanOrEqual(processListenersBefore);
    // Keep-alive sockets from the storm close on their own idle timeout (5 s); nothing else may stay.
    await expect
      .poll(resourceCount, { timeout: 15_000, interval: 250 })
      .toBeLessThanOrEqual(resourcesBefore + 5);
  });

  it('a keep-alive socket does not gather listeners request after request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    const onConnection = (socket: Socket) => sockets.add(socket);
    server.on('connection', onConnection);
    const once = (content: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          `${baseUrl}/api/chat`,
          { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(streamOf(content)));
      });
    try {
      await once('first [sim:normal]');
      expect(sockets.size).toBe(1);
      const socket = [...sockets][0]!;
      const after1 = listenerTotal(socket);
      for (let i = 0; i < 20; i++)
        expect(await once(`again ${i} [sim:normal]`)).toContain('[DONE]');
      // Same connection throughout, and no listener added per request.
      expect(sockets.size).toBe(1);
      expect(listenerTotal(socket)).toBeLessThanOrEqual(after1);
    } finally {
      server.off('connection', onConnection);
      agent.destroy();
    }
  });
});
