import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { streamOnce } from '../src/measure';
import { SIM_KEY, type Service, startApi, startPipe } from '../src/processes';
import { batched, paced } from '../src/targets';

let sim: Simulator;
let pipe: Service;
let api: Service;
const planted = { ZAI_API_KEY: 'leaked-key', ENV_FILE: '.env.leaked', BENCH_PROBE: 'leaked' };

beforeAll(async () => {
  sim = await startSimulator({ apiKey: SIM_KEY });
  // What a developer's shell may hold must not reach a spawned server.
  Object.assign(process.env, planted);
  try {
    [pipe, api] = await Promise.all([startPipe(sim.url), startApi(sim.url)]);
  } finally {
    for (const name of Object.keys(planted)) delete process.env[name];
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([pipe?.stop(), api?.stop()]);
  await sim?.close();
});

const environ = (pid: number) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

test('spawned servers get PATH and their own settings, nothing else from this shell', () => {
  const pipeEnv = environ(pipe.pid);
  expect(Object.keys(pipeEnv).sort()).toEqual(
    ['HOST', 'PATH', 'PORT', 'UPSTREAM_AUTHORIZATION', 'UPSTREAM_URL'].sort(),
  );
  const apiEnv = environ(api.pid);
  expect(apiEnv.ENV_FILE).toBe('none');
  expect(apiEnv.ZAI_API_KEY).toBe('');
  expect(apiEnv.BENCH_PROBE).toBeUndefined();
  expect(apiEnv.HOME).toBeUndefined();
});

test('the pipe relays the simulator byte for byte, paced or batched', async () => {
  for (const body of [paced(5), batched(40)]) {
    const direct = await streamOnce(`${sim.url}/chat/completions`, body, {
      headers: { authorization: `Bearer ${SIM_KEY}` },
    });
    const piped = await streamOnce(`${pipe.url}/chat/completions`, body);
    expect(piped.ok).toBe(true);
    expect(piped.chunks).toBe(direct.chunks);
    expect(piped.chunks).toBeGreaterThan(3);
  }
});

test('the pipe passes upstream errors through with their status', async () => {
  const res = await fetch(`${pipe.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'glm-4.6', messages: [] }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('1214');
});

test('a client that leaves the pipe ends the upstream request', async () => {
  const sockets: Socket[] = [];
  let opened!: () => void;
  const first = new Promise<void>((r) => (opened = r));
  const stream = streamOnce(`${pipe.url}/chat/completions`, paced(1000), {
    fresh: true,
    onSocket: (s) => sockets.push(s),
    onFirstChunk: () => opened(),
  });
  await first;
  expect(sim.openRequests()).toBe(1);
  sockets[0]!.destroy();
  await sim.waitForOpenRequests(0, 5000);
  expect((await stream).ok).toBe(false);
});
