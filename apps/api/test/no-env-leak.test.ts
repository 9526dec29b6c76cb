import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from './support/api-process';

/**
 * A developer's `.env` may hold a real key. Tests start the API with `ENV_FILE=none`
 * (support/api-process.ts), so a canary key in a `.env` where the API would look for one
 * must not reach it; the control case shows the canary would be picked up otherwise.
 */
const CANARY = 'canary0000000000000000000000000.leakedsecret0000';
let sim: Simulator;
let root: string;
const running: ApiProcess[] = [];
beforeAll(async () => {
  sim = await startSimulator();
  // Shaped like the repo: the API looks for `.env` in its cwd and two levels up.
  root = mkdtempSync(join(tmpdir(), 'env-leak-'));
  mkdirSync(join(root, 'apps', 'api'), { recursive: true });
  writeFileSync(join(root, '.env'), `ZAI_API_KEY=${CANARY}\n`);
});
afterEach(() => {
  for (const api of running.splice(0)) api.child.kill('SIGKILL');
});
afterAll(() => sim.close());

async function upstreamOf(env: Record<string, string | undefined>): Promise<string> {
  const api = await startApiProcess(
    {
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'info',
      SIMULATOR_URL: sim.url,
      SIMULATOR_API_KEY: sim.apiKey,
      ...env,
    },
    { cwd: join(root, 'apps', 'api') },
  );
  running.push(api);
  const health = (await (await fetch(`${api.baseUrl}/health`)).json()) as { upstream: string };
  expect(JSON.stringify(api.logs)).not.toContain(CANARY);
  return health.upstream;
}

describe('a .env with a key never reaches a test run', () => {
  it('the API started the way tests start it ignores the canary .env', async () => {
    expect(await upstreamOf({})).toBe('simulator');
  });

  it('control: without ENV_FILE=none the same .env would switch it to Z.AI', async () => {
    expect(await upstreamOf({ ENV_FILE: join(root, '.env') })).toBe('zai');
  });
});
