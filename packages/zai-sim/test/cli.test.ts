import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SIM_API_KEY, type Simulator } from '../src/index';
import { chat, json, type WireError } from './helpers';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  // An explicit environment: the standalone simulator must not depend on anything inherited.
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH ?? '',
      SIM_PORT: '0',
      SIM_CHUNK_DELAY_MS: '0',
      SIM_OVERLOADED_MODELS: 'glm-4.6, glm-4.5',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8');
  url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
    child.stdout?.on('data', (data: string) => {
      out += data;
      const match = /ZAI_BASE_URL=(\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
  });
}, 30_000);

afterAll(async () => {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
});

/** Enough of a Simulator for the chat helper. */
const target = (): Simulator => ({ url, apiKey: DEFAULT_SIM_API_KEY }) as Simulator;

describe('standalone simulator', () => {
  test('SIM_OVERLOADED_MODELS makes those models answer 1312; others answer', async () => {
    for (const model of ['glm-4.6', 'glm-4.5']) {
      const res = await chat(target(), { model });
      expect(res.status, model).toBe(429);
      const { error } = await json<WireError>(res);
      expect(error.code).toBe('1312');
      expect(error.message).toBe(
        `The model ${model} is currently overloaded, please try glm-4.5-air`,
      );
    }
    const ok = await chat(target(), { model: 'glm-4.5-air', stream: false });
    expect(ok.status).toBe(200);
  });
});
