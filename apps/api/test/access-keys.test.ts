import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorBody } from '@zai-chat/contract';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';
import { runKeysCli } from './support/api-process';

/**
 * ACCESS_MODE=keys: only holders of a key made with the CLI spend the Z.AI key. Keys are kept
 * as hashes; a revoked key stops working within a second, without a restart.
 */
const dir = mkdtempSync(join(tmpdir(), 'keys-'));
const keysFile = join(dir, 'access-keys.json');
let stack: Stack;
let origin: string;
let alice: string;

beforeAll(async () => {
  const created = await runKeysCli(['create', 'alice'], { ACCESS_KEYS_FILE: keysFile });
  expect(created.code).toBe(0);
  alice = created.stdout.trim().split('\n').at(-1)!;
  stack = await startStack({ ACCESS_MODE: 'keys', ACCESS_KEYS_FILE: keysFile });
  origin = await stack.listen();
});
afterAll(() => stack.close());

const chat = (key: string | undefined, path = '/api/chat') =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: false }),
  });

describe('the keys CLI', () => {
  it('prints the new key once, alone on its last line', () => {
    expect(alice).toMatch(/^zc_[A-Za-z0-9_-]{43}$/);
  });

  it('stores only a hash, in a file only its owner can read', () => {
    const text = readFileSync(keysFile, 'utf8');
    expect(text).not.toContain(alice);
    expect(text).not.toContain(alice.slice(10));
    expect(JSON.parse(text)).toMatchObject({
      keys: [{ name: 'alice', hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string }],
    });
    expect(statSync(keysFile).mode & 0o077).toBe(0);
  });

  it('lists names and hints, never keys; refuses a second key with the same name', async () => {
    const listed = await runKeysCli(['list'], { ACCESS_KEYS_FILE: keysFile });
    expect(listed.stdout).toMatch(/^alice\tzc_/m);
    expect(listed.stdout).not.toContain(alice);
    const again = await runKeysCli(['create', 'alice'], { ACCESS_KEYS_FILE: keysFile });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
  });
});

describe('requests', () => {
  it('with the key: answered', async () => {
    expect((await chat(alice)).status).toBe(200);
  });

  it.each([
    ['no key', () => undefined],
    ['a wrong key', () => `zc_${'A'.repeat(43)}`],
    ['the key without its prefix', () => alice.slice(3)],
    ['garbage', () => 'not a key at all'],
  ])('%s: the contract’s 401 unauthorized, and nothing reaches Z.AI', async (_name, key) => {
    const before = stack.sim.totalRequests();
    const res = await chat(key());
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('unauthorized');
    expect(stack.sim.totalRequests()).toBe(before);
  });

  it('the openai SDK uses the key as its apiKey; a wrong one is an AuthenticationError', async () => {
    const ok = new OpenAI({ baseURL: `${origin}/v1`, apiKey: alice });
    const completion = await ok.chat.completions.create({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const wrong = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'zc_wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('/api/config and /health stay public (the app learns it needs a key from them)', async () => {
    const config = (await (await fetch(`${origin}/api/config`)).json()) as {
      access: { mode: string };
    };
    expect(config.access.mode).toBe('keys');
    expect((await fetch(`${origin}/health`)).status).toBe(200);
  });
});

describe('revocation', () => {
  it('a revoked key stops working without a restart', async () => {
    const created = await runKeysCli(['create', 'bob'], { ACCESS_KEYS_FILE: keysFile });
    const bob = created.stdout.trim().split('\n').at(-1)!;
    await expect.poll(async () => (await chat(bob)).status, { timeout: 2000 }).toBe(200);
    const revoked = await runKeysCli(['revoke', 'bob'], { ACCESS_KEYS_FILE: keysFile });
    expect(revoked.code).toBe(0);
    const at = Date.now();
    await expect
      .poll(async () => (await chat(bob)).status, { timeout: 1000, interval: 50 })
      .toBe(401);
    expect(Date.now() - at).toBeLessThan(1000);
    // Others are unaffected.
    expect((await chat(alice)).status).toBe(200);
  });
});
