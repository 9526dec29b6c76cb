import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUSINESS_CODES, beijingTime, startSimulator, type Simulator } from '../src/index';
import { chat, chunks, json, signJwt, text, type WireError } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const errorOf = (res: Response) => json<WireError>(res);

describe('auth answered like Z.AI', () => {
  test('no Authorization header → 401 1001', async () => {
    const res = await chat(sim, {}, {});
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error.code).toBe('1001');
  });

  test('a wrong key → 401 1002', async () => {
    const res = await chat(sim, {}, { authorization: 'Bearer sim-key-id.wrong-secret' });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error.code).toBe('1002');
  });

  test('a correctly signed JWT whose exp has passed → 401 1003', async () => {
    const past = Date.now() - 10 * 60_000;
    const jwt = signJwt(sim.apiKey, { exp: past, timestamp: past - 180_000 });
    const res = await chat(sim, {}, { authorization: `Bearer ${jwt}` });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error.code).toBe('1003');
  });

  test('the key without a scheme, and a bare µs JWT like the official Node SDK sends, both work', async () => {
    expect((await chat(sim, { stream: false }, { authorization: sim.apiKey })).status).toBe(200);
    const nowUs = Date.now() * 1000;
    const jwt = signJwt(sim.apiKey, { exp: nowUs + 180_000, timestamp: nowUs });
    expect((await chat(sim, { stream: false }, { authorization: jwt })).status).toBe(200);
  });

  test('the auth scenario still answers 401', async () => {
    const res = await chat(sim, { model: 'sim-auth' });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error.code).toBe('1001');
  });
});

describe('1214 for out-of-range parameters', () => {
  test.each([
    ['temperature', { temperature: 1.5 }],
    ['top_p', { top_p: 0 }],
    ['max_tokens', { max_tokens: 98_305 }],
    ['max_tokens', { max_tokens: 2.5 }],
    ['messages', { messages: [] }],
    ['messages[0].role', { messages: [{ role: 'wizard', content: 'hi' }] }],
  ])('%s → 400 1214 naming it', async (field, patch) => {
    const res = await chat(sim, patch);
    expect(res.status).toBe(400);
    const { error } = await errorOf(res);
    expect(error.code).toBe('1214');
    expect(error.message).toContain(field);
  });

  test('an unknown model name is not refused', async () => {
    const res = await chat(sim, { model: 'glm-99-future', stream: false });
    expect(res.status).toBe(200);
    expect((await json(res)).model).toBe('glm-99-future');
  });

  test('nothing refused is recorded as a request the scenario answered', async () => {
    const before = sim.requests.length;
    await chat(sim, { temperature: 3 });
    expect(sim.requests.length).toBe(before);
  });
});

describe('the error scenario', () => {
  test('every business code answers with its status and code, from a directive', async () => {
    for (const [code, spec] of Object.entries(BUSINESS_CODES)) {
      const res = await chat(sim, {
        messages: [{ role: 'user', content: `[sim:error code=${code}] hi` }],
      });
      expect(res.status, code).toBe(spec.status);
      const { error } = await errorOf(res);
      expect(error.code, code).toBe(code);
      expect(error.message, code).not.toMatch(/\$\{/);
    }
  });

  test('defaults to 1214; status and retry override the table', async () => {
    const plain = await chat(sim, { model: 'sim-error' });
    expect(plain.status).toBe(400);
    expect((await errorOf(plain)).error.code).toBe('1214');
    expect(plain.headers.get('retry-after')).toBeNull();

    const res = await chat(sim, {
      messages: [{ role: 'user', content: '[sim:error code=1305 status=503 retry=7]' }],
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await errorOf(res)).error.code).toBe('1305');
  });

  test('1308 names a reset one hour ahead in Beijing time; reset= moves it', async () => {
    const before = Date.now();
    const res = await chat(sim, { messages: [{ role: 'user', content: '[sim:error code=1308]' }] });
    const after = Date.now();
    expect(res.status).toBe(429);
    const { message } = (await errorOf(res)).error;
    const match = /^Usage limit reached for 5 hour\. Your limit will reset at (.+)$/.exec(message);
    expect(match?.[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Read back as Beijing wall-clock time, the reset is an hour after the request.
    const resetMs = Date.parse(`${match?.[1]?.replace(' ', 'T')}+08:00`);
    expect(resetMs).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(resetMs).toBeLessThanOrEqual(after + 3_600_000);

    const weekly = await chat(sim, {
      messages: [{ role: 'user', content: '[sim:error code=1310 reset=86400]' }],
    });
    const weeklyMessage = (await errorOf(weekly)).error.message;
    expect(weeklyMessage).toMatch(/^Weekly\/Monthly Limit Exhausted\. Your limit will reset at /);
    const day = beijingTime(Date.now() + 86_400_000).slice(0, 10);
    expect(weeklyMessage).toContain(day);
  });

  test('error-once fails the first time a message is seen, then answers', async () => {
    const content = `[sim:error-once code=1312] once ${Date.now()}`;
    const first = await chat(sim, { messages: [{ role: 'user', content }] });
    expect(first.status).toBe(429);
    expect((await errorOf(first)).error.message).toBe(
      'The model glm-4.6 is currently overloaded, please try glm-4.5-air',
    );
    const second = await chat(sim, { stream: true, messages: [{ role: 'user', content }] });
    expect(second.status).toBe(200);
    expect(text(await chunks(second)).length).toBeGreaterThan(20);
  });
});

describe('overloaded models', () => {
  test('every request for an overloaded model answers 1312, others answer normally', async () => {
    const busy = await startSimulator({ overloadedModels: ['glm-4.6'] });
    try {
      for (const stream of [true, false]) {
        const res = await chat(busy, { model: 'glm-4.6', stream });
        expect(res.status).toBe(429);
        expect(await errorOf(res)).toEqual({
          error: {
            code: '1312',
            message: 'The model glm-4.6 is currently overloaded, please try glm-4.5-air',
          },
        });
      }
      const fallback = await chat(busy, { model: 'glm-4.5-air', stream: true });
      expect(fallback.status).toBe(200);
      expect((await chunks(fallback)).at(-1)?.model).toBe('glm-4.5-air');
      expect(busy.requests.map((r) => [r.body.model, r.scenario.name])).toEqual([
        ['glm-4.6', 'error'],
        ['glm-4.6', 'error'],
        ['glm-4.5-air', 'normal'],
      ]);

      busy.setOverloadedModels(['glm-4.6', 'glm-4.5-air']);
      const both = await errorOf(await chat(busy, { model: 'glm-4.5-air' }));
      expect(both.error.message).toBe(
        'The model glm-4.5-air is currently overloaded, please try glm-4.5',
      );
      busy.setOverloadedModels([]);
      expect((await chat(busy, { model: 'glm-4.6', stream: false })).status).toBe(200);
    } finally {
      await busy.close();
    }
  });
});
