import { describe, expect, it } from 'vitest';
import type { UpstreamClient, UpstreamResponse } from './client';
import type { UpstreamFailure } from './errors';
import { mapUpstreamError } from './errors';
import { UpstreamGaveUp, nextFallback, sendWithRetry } from './retry';

const policy = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };
const ok = { status: 200 } as UpstreamResponse;

/** An upstream that answers per model from a script; records the models it was asked for. */
function scripted(script: Record<string, (UpstreamFailure | 'ok')[]>) {
  const asked: string[] = [];
  const client: UpstreamClient = {
    kind: 'zai',
    send: (body) => {
      const model = (body as { model: string }).model;
      asked.push(model);
      const next = script[model]?.shift() ?? 'ok';
      return next === 'ok' ? Promise.resolve(ok) : Promise.reject(next);
    },
  };
  return { client, asked };
}

const send = (client: UpstreamClient, fallbackModels: string[] = []) =>
  sendWithRetry(
    client,
    { model: 'glm-4.6' },
    {
      signal: new AbortController().signal,
      requestId: 'r',
      policy,
      fallbackModels,
    },
  );

describe('sendWithRetry', () => {
  it('1312 moves to the next fallback model at once and says which one answered', async () => {
    const overloaded = () => mapUpstreamError(429, '1312');
    const { client, asked } = scripted({
      'glm-4.6': [overloaded()],
      'glm-4.5-air': [overloaded()],
    });
    const sent = await send(client, ['glm-4.5-air', 'glm-4.5-flash']);
    expect(asked).toEqual(['glm-4.6', 'glm-4.5-air', 'glm-4.5-flash']);
    expect(sent.model).toBe('glm-4.5-flash');
    expect(sent.requests).toBe(3);
  });

  it('without fallbacks 1312 is retried like any overload, on the same model', async () => {
    const { client, asked } = scripted({ 'glm-4.6': [mapUpstreamError(429, '1312')] });
    const sent = await send(client);
    expect(asked).toEqual(['glm-4.6', 'glm-4.6']);
    expect(sent.model).toBe('glm-4.6');
  });

  it('a final error is one request; a retryable one stops at maxAttempts, and says it retried', async () => {
    const auth = scripted({ 'glm-4.6': [mapUpstreamError(401, '1002')] });
    const once = await send(auth.client).catch((e: unknown) => e);
    expect(once).toBeInstanceOf(UpstreamGaveUp);
    expect((once as UpstreamGaveUp).requests).toBe(1);
    expect((once as UpstreamGaveUp).retried).toBe(false);

    const busy = () => mapUpstreamError(500, '500');
    const down = scripted({ 'glm-4.6': [busy(), busy(), busy(), busy()] });
    const thrice = await send(down.client).catch((e: unknown) => e);
    expect((thrice as UpstreamGaveUp).requests).toBe(3);
    expect((thrice as UpstreamGaveUp).retried).toBe(true);
  });
});

describe('nextFallback', () => {
  it('the model after this one in the list, else the first untried', () => {
    const list = ['a', 'b', 'c'];
    expect(nextFallback('a', list, new Set(['a']))).toBe('b');
    expect(nextFallback('c', list, new Set(['c']))).toBe('a');
    expect(nextFallback('x', list, new Set(['x']))).toBe('a');
    expect(nextFallback('b', list, new Set(['a', 'b', 'c']))).toBeUndefined();
  });
});
