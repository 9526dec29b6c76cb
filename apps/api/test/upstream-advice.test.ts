import { ErrorBody, OpenAiErrorBody } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesOf } from './stack';
import { type Stack, startStack } from './stack';

/**
 * What the API tells a client about an upstream failure: which model answered after a
 * fallback, when a quota resets, and whether trying again can help (`x-should-retry`).
 */
let stack: Stack;
let origin: string;
beforeAll(async () => {
  stack = await startStack(
    { UPSTREAM_MAX_ATTEMPTS: '3', ZAI_FALLBACK_MODELS: 'glm-4.5-air,glm-4.5-flash' },
    { overloadedModels: ['glm-4.6'] },
  );
  origin = await stack.listen();
});
afterAll(() => stack.close());

let n = 0;
const ask = (path: string, content: string, extra: object = {}) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: `q${++n} ${content}` }], ...extra }),
  });
const modelsAsked = (since: number) =>
  stack.sim.requests.slice(since).map((r) => r.body.model as string);

describe('model fallback on 1312 (model overloaded)', () => {
  it('moves to the next fallback before the first byte and says which model answered', async () => {
    const since = stack.sim.requests.length;
    const res = await ask('/api/chat', 'hello', { model: 'glm-4.6' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model')).toBe('glm-4.5-air');
    const frames = await framesOf(await res.text());
    expect(frames.at(-1)?.data).toBe('[DONE]');
    expect((JSON.parse(frames[0]!.data) as { model: string }).model).toBe('glm-4.5-air');
    expect(modelsAsked(since)).toEqual(['glm-4.6', 'glm-4.5-air']);
  });

  it('walks the list while models stay overloaded, each model once', async () => {
    stack.sim.setOverloadedModels(['glm-4.6', 'glm-4.5-air']);
    try {
      const since = stack.sim.requests.length;
      const res = await ask('/v1/chat/completions', 'hello', { model: 'glm-4.6' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model')).toBe('glm-4.5-flash');
      expect(modelsAsked(since)).toEqual(['glm-4.6', 'glm-4.5-air', 'glm-4.5-flash']);
    } finally {
      stack.sim.setOverloadedModels(['glm-4.6']);
    }
  });

  it('a model that is not overloaded is asked once, no fallback', async () => {
    const since = stack.sim.requests.length;
    const res = await ask('/api/chat', 'hello', { model: 'glm-4.5', stream: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model')).toBe('glm-4.5');
    expect(modelsAsked(since)).toEqual(['glm-4.5']);
  });
});

describe('quota errors with a reset time (1308, 1310)', () => {
  it.each(['1308', '1310'])(
    '%s: 429 upstream_quota, Retry-After = time to the reset, final',
    async (code) => {
      const since = stack.sim.requests.length;
      const res = await ask('/api/chat', `[sim:error code=${code}]`, { model: 'glm-4.5' });
      expect(res.status).toBe(429);
      const body = ErrorBody.parse(await res.json());
      expect(body.error.code).toBe('upstream_quota');
      // The simulator resets one hour from now (Beijing time in its message).
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3601);
      expect(body.error.retryAfter).toBe(retryAfter);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(modelsAsked(since)).toHaveLength(1);
      // The upstream's text (which can name the account) is not echoed.
      expect(JSON.stringify(body)).not.toMatch(/Usage limit|Exhausted/);
    },
  );

  it('/v1 answers it 424, final for every SDK, with OpenAI’s quota type', async () => {
    const res = await ask('/v1/chat/completions', '[sim:error code=1308]', { model: 'glm-4.5' });
    expect(res.status).toBe(424);
    const body = OpenAiErrorBody.parse(await res.json());
    expect(body.error).toMatchObject({ type: 'insufficient_quota', code: 'upstream_quota' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(3500);
  });
});

describe('x-should-retry', () => {
  it.each([
    ['a final upstream error', '[sim:auth]', 502, 'false', 1],
    ['a retryable one the API already retried', '[sim:error code=1302]', 429, 'false', 3],
    ['an invalid request', '[sim:error code=1214]', 400, 'false', 1],
  ])(
    '%s → %i, x-should-retry %s, %i upstream request(s)',
    async (_n, directive, status, retry, requests) => {
      const since = stack.sim.requests.length;
      const res = await ask('/api/chat', directive, { model: 'glm-4.5' });
      expect(res.status).toBe(status);
      expect(res.headers.get('x-should-retry')).toBe(retry);
      expect(modelsAsked(since)).toHaveLength(requests);
    },
  );

  it('a Retry-After longer than the API waits: not retried here, so the client may (true)', async () => {
    const since = stack.sim.requests.length;
    const res = await ask('/v1/chat/completions', '[sim:error code=1302 retry=30]', {
      model: 'glm-4.5',
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('true');
    expect(res.headers.get('retry-after')).toBe('30');
    expect(modelsAsked(since)).toHaveLength(1);
  });

  it('while draining: 503 shutting_down, retry elsewhere (true)', async () => {
    stack.lifecycle.draining = true;
    try {
      const res = await ask('/api/chat', 'late');
      expect(res.status).toBe(503);
      expect(res.headers.get('x-should-retry')).toBe('true');
    } finally {
      stack.lifecycle.draining = false;
    }
  });
});
