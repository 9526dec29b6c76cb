import { startSimulator } from '@zai-chat/zai-sim';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthorization } from '../src/upstream/auth';
import { createUpstreamClient } from '../src/upstream/client';
import { UpstreamFailure } from '../src/upstream/errors';

describe('Z.AI authorization', () => {
  it('bearer mode sends the key as-is', async () => {
    expect(await createAuthorization('id.secret', 'bearer')()).toBe('Bearer id.secret');
  });

  it('jwt mode signs HS256 with sign_type SIGN and millisecond times', async () => {
    const now = 1_700_000_000_000;
    const header = await createAuthorization('my-id.my-secret', 'jwt', () => now)();
    const token = header.replace('Bearer ', '');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', sign_type: 'SIGN' });
    expect(decodeJwt(token)).toEqual({ api_key: 'my-id', timestamp: now, exp: now + 180_000 });
  });

  it('jwt mode caches the token until 30 s before expiry', async () => {
    let now = 1_700_000_000_000;
    const auth = createAuthorization('my-id.my-secret', 'jwt', () => now);
    const first = await auth();
    now += 120_000;
    expect(await auth()).toBe(first);
    now += 40_000; // 20 s left
    expect(await auth()).not.toBe(first);
  });

  it.each(['bearer', 'jwt'] as const)(
    '%s mode is accepted by the simulator; a wrong key is not',
    async (mode) => {
      const sim = await startSimulator();
      try {
        const send = (apiKey: string) =>
          createUpstreamClient({
            kind: 'simulator',
            baseUrl: sim.url,
            apiKey,
            auth: mode,
            firstByteTimeoutMs: 5000,
          }).send(
            { model: 'glm-4.6', messages: [{ role: 'user', content: 'hi' }], stream: false },
            { signal: new AbortController().signal, requestId: 't' },
          );
        const ok = await send(sim.apiKey);
        expect(ok.status).toBe(200);
        await ok.text();
        const failure = await send('sim-key-id.wrong-secret').catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(UpstreamFailure);
        expect((failure as UpstreamFailure).code).toBe('upstream_auth');
      } finally {
        await sim.close();
      }
    },
  );
});
