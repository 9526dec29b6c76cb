import { readdirSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { metricValue } from './helpers';

/**
 * Slow and greedy clients against the real process (server.ts), under `ulimit -n 1024`:
 * 2,000 slowloris sockets must not silence /health or push the process out of file
 * descriptors, and a body sent at 1 byte/s is cut with the contract's JSON 408.
 */
const OPEN_FILES = 1024;
let sim: Simulator;
let api: ApiProcess;
beforeAll(async () => {
  sim = await startSimulator();
  api = await startApiProcess(
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SIMULATOR_URL: sim.url,
      SIMULATOR_API_KEY: sim.apiKey,
      // Short, so the test is quick: the defaults are 30 s and 10 s.
      REQUEST_TIMEOUT_MS: '3000',
      HEADERS_TIMEOUT_MS: '2000',
    },
    { openFileLimit: OPEN_FILES },
  );
});
afterAll(async () => {
  api?.child.kill('SIGKILL');
  await sim.close();
});

const port = () => Number(new URL(api.baseUrl).port);
const openFds = () => readdirSync(`/proc/${api.child.pid}/fd`).length;

async function health(): Promise<number> {
  // A real client retries a refused connection; /health must answer within a few tries.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const res = await fetch(`${api.baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
      return res.status;
    } catch {
      // evicted or refused while the flood arrives: try again
    }
  }
  return 0;
}

describe('caps and timeouts of our own', () => {
  it('caps fit the open-file limit, and the process says so', () => {
    expect(
      api.logs.some(
        (l) => l.msg === 'caps lowered to fit the open-file limit (raise `ulimit -n` for more)',
      ),
    ).toBe(true);
  });

  it(
    '2,000 slowloris sockets: /health still answers and descriptors stay under the limit',
    { timeout: 60_000 },
    async () => {
      const sockets: Socket[] = [];
      let peakFds = 0;
      const trickle = setInterval(() => {
        // One more header byte per second on every socket still open: never finishing.
        for (const s of sockets) if (!s.destroyed) s.write('x');
        peakFds = Math.max(peakFds, openFds());
      }, 1000);
      try {
        for (let i = 0; i < 2000; i++) {
          const s = connect(port(), '127.0.0.1');
          s.on('error', () => undefined);
          s.once('connect', () => s.write('POST /api/chat HTTP/1.1\r\nHost: x\r\nX-Slow: '));
          sockets.push(s);
          if (i % 200 === 199) {
            await new Promise((r) => setImmediate(r));
            peakFds = Math.max(peakFds, openFds());
            expect(await health()).toBe(200);
          }
        }
        expect(await health()).toBe(200);
        peakFds = Math.max(peakFds, openFds());
        expect(peakFds).toBeLessThan(OPEN_FILES);
        const metrics = await (await fetch(`${api.metricsUrl}/metrics`)).text();
        expect(
          metricValue(metrics, 'zai_chat_cap_hits_total', { cap: 'connections' }),
        ).toBeGreaterThan(500);
        // The burst is logged once, not once per refused socket.
        expect(
          api.logs.filter((l) => l.msg === 'cap reached' && l.cap === 'connections'),
        ).toHaveLength(1);
      } finally {
        clearInterval(trickle);
        for (const s of sockets) s.destroy();
      }
    },
  );

  it(
    'slow headers are cut after HEADERS_TIMEOUT_MS with a JSON 408',
    { timeout: 20_000 },
    async () => {
      const answer = await new Promise<string>((resolve) => {
        const s = connect(port(), '127.0.0.1');
        let text = '';
        s.setEncoding('utf8');
        s.on('data', (c: string) => (text += c));
        s.on('close', () => resolve(text));
        s.on('error', () => undefined);
        s.write('GET /health HTTP/1.1\r\nHost: x\r\n');
        const drip = setInterval(
          () => (s.destroyed ? clearInterval(drip) : s.write('X-A: b\r\n')),
          500,
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        error: { code: 'request_timeout' },
      });
    },
  );

  it(
    'a body sent at 1 byte/s is cut after REQUEST_TIMEOUT_MS, with the connection',
    { timeout: 20_000 },
    async () => {
      const started = Date.now();
      const closedAfter = await new Promise<number>((resolve) => {
        const s = connect(port(), '127.0.0.1');
        s.on('error', () => undefined);
        s.on('close', () => resolve(Date.now() - started));
        s.write(
          'POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
        );
        const drip = setInterval(() => (s.destroyed ? clearInterval(drip) : s.write(' ')), 1000);
      });
      // REQUEST_TIMEOUT_MS is 3 s here, checked every second; before this change it was 300 s.
      expect(closedAfter).toBeLessThan(10_000);
      expect(await health()).toBe(200);
    },
  );
});
