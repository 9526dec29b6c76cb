import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { ErrorBody } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

/**
 * Per-identity limits that cannot be dodged: budgets before any upstream call, rate limits
 * keyed by who is asking (never by a header the client writes), stream caps, and an audit
 * line per exchange that never holds content.
 */

/** POST over a real socket from a chosen local address (127.0.0.x are all this machine). */
function post(
  origin: string,
  body: object,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}/api/chat`, {
      method: 'POST',
      agent: false,
      localAddress: options.from,
      headers: { 'content-type': 'application/json', ...options.headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const ask = (content: string, extra: object = {}) => ({
  messages: [{ role: 'user', content }],
  stream: false,
  ...extra,
});

describe('token budgets', () => {
  const lines: Record<string, unknown>[] = [];
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    // The simulator's 20-chunk answers cost ~25 tokens each.
    stack = await startStack({ TOKEN_BUDGET_PER_DAY: '60' }, {}, logStream);
    origin = await stack.listen();
  });
  afterAll(() => stack.close());

  it('spends down, then answers 429 budget_exceeded with the reset, before any upstream call', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await post(origin, ask(`budget ${i} [sim:normal chunks=20]`), { from: '127.0.0.3' }))
          .status,
      );
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    const before = stack.sim.totalRequests();
    const refused = await post(origin, ask('over [sim:normal chunks=20]'), { from: '127.0.0.3' });
    expect(refused.status).toBe(429);
    const error = ErrorBody.parse(JSON.parse(refused.text)).error;
    expect(error.code).toBe('budget_exceeded');
    // Budgets reset at 00:00 UTC.
    const untilMidnight =
      (Date.UTC(
        new Date().getUTCFullYear(),
        new Date().getUTCMonth(),
        new Date().getUTCDate() + 1,
      ) -
        Date.now()) /
      1000;
    expect(error.retryAfter).toBeGreaterThan(untilMidnight - 5);
    expect(error.retryAfter).toBeLessThanOrEqual(Math.ceil(untilMidnight) + 1);
    expect(refused.headers['x-should-retry']).toBe('false');
    expect(stack.sim.totalRequests()).toBe(before);
    // Someone else still has their own budget.
    expect(
      (await post(origin, ask('other [sim:normal chunks=20]'), { from: '127.0.0.4' })).status,
    ).toBe(200);
  });

  it('writes one audit line per exchange: identity, model, tokens, duration, outcome — no content', () => {
    const audits = lines.filter((l) => l.msg === 'exchange');
    expect(audits.length).toBeGreaterThanOrEqual(3);
    const first = audits[0]!.audit as Record<string, unknown>;
    expect(first).toMatchObject({
      identity: 'ip:127.0.0.3',
      model: 'glm-4.6',
      outcome: 'done',
      estimated: false,
    });
    expect(first.tokens).toBeGreaterThan(0);
    expect(typeof first.durationMs).toBe('number');
    for (const line of lines)
      expect(JSON.stringify(line)).not.toMatch(/budget \d|Simulated answer/);
  });

  it('a stream cut before its usage is counted by estimate', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${origin}/api/chat`, {
        method: 'POST',
        agent: false,
        localAddress: '127.0.0.5',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'ECONNRESET' ? resolve() : reject(e),
      );
      req.end(JSON.stringify({ ...ask('cut [sim:slow ms=3000]'), stream: true }));
    });
    await expect
      .poll(() =>
        lines.find(
          (l) =>
            l.msg === 'exchange' && (l.audit as { identity: string }).identity === 'ip:127.0.0.5',
        ),
      )
      .toBeTruthy();
    const audit = lines.find(
      (l) => (l.audit as { identity?: string } | undefined)?.identity === 'ip:127.0.0.5',
    )!.audit as Record<string, unknown>;
    expect(audit).toMatchObject({ outcome: 'client_gone', estimated: true });
    expect(audit.tokens).toBeGreaterThan(0);
  });
});

describe('a forged X-Forwarded-For cannot raise anyone’s limit', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    // Only the proxy at 127.0.0.1 is believed; the API listens on 127.0.0.1.
    stack = await startStack({ RATE_LIMIT_MAX: '3', TRUST_PROXY: '127.0.0.1' });
    origin = await stack.listen();
  });
  afterAll(() => stack.close());

  it('a client reaching the API directly gets its own address, whatever it writes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const forged = `203.0.113.${i}, 198.51.100.${i}`;
      const res = await post(origin, ask(`forged ${i}`), {
        from: '127.0.0.6',
        headers: { 'x-forwarded-for': forged },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('through the trusted proxy, the address it appended counts, not what the client prepended', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // What nginx sends: the client's forged value, then the client's real address.
      const res = await post(origin, ask(`via proxy ${i}`), {
        from: '127.0.0.1',
        headers: { 'x-forwarded-for': `203.0.113.${i}, 192.0.2.77` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // A different real client behind the same proxy has its own limit.
    const other = await post(origin, ask('other client'), {
      from: '127.0.0.1',
      headers: { 'x-forwarded-for': '192.0.2.78' },
    });
    expect(other.status).toBe(200);
  });
});

describe('ACCESS_MODE=proxy', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack({
      ACCESS_MODE: 'proxy',
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_MAX: '2',
    });
    origin = await stack.listen();
  });
  afterAll(() => stack.close());

  it('believes the identity header only from the auth proxy’s address', async () => {
    const viaProxy = await post(origin, ask('hi'), {
      from: '127.0.0.1',
      headers: { 'x-forwarded-email': 'ann@example.com' },
    });
    expect(viaProxy.status).toBe(200);
    const direct = await post(origin, ask('hi'), {
      from: '127.0.0.7',
      headers: { 'x-forwarded-email': 'ann@example.com' },
    });
    expect(direct.status).toBe(401);
    expect(ErrorBody.parse(JSON.parse(direct.text)).error.code).toBe('unauthorized');
    const noHeader = await post(origin, ask('hi'), { from: '127.0.0.1' });
    expect(noHeader.status).toBe(401);
  });

  it('limits count per identity, not per proxy address', async () => {
    const as = (who: string) =>
      post(origin, ask(`as ${who}`), { from: '127.0.0.1', headers: { 'x-forwarded-email': who } });
    expect((await as('bo@example.com')).status).toBe(200);
    expect((await as('bo@example.com')).status).toBe(200);
    expect((await as('bo@example.com')).status).toBe(429);
    expect((await as('cy@example.com')).status).toBe(200);
  });
});

describe('answers in flight', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack({ MAX_STREAMS: '3', MAX_STREAMS_PER_IDENTITY: '2' });
    origin = await stack.listen();
  });
  afterAll(() => stack.close());

  /** Open a slow stream and resolve once its headers arrived; `close` ends it. */
  function hold(from: string) {
    return new Promise<{ status: number; close(): void }>((resolve, reject) => {
      const req = httpRequest(`${origin}/api/chat`, {
        method: 'POST',
        agent: false,
        localAddress: from,
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode!, close: () => req.destroy() });
      });
      req.on('error', () => undefined);
      req.once('error', reject);
      req.end(JSON.stringify({ ...ask('hold [sim:slow ms=20000]'), stream: true }));
    });
  }

  it('per identity, then overall: 429 too_many_streams, and slots come back when streams end', async () => {
    const a1 = await hold('127.0.0.8');
    const a2 = await hold('127.0.0.8');
    expect([a1.status, a2.status]).toEqual([200, 200]);
    const a3 = await post(origin, { ...ask('a3'), stream: true }, { from: '127.0.0.8' });
    expect(a3.status).toBe(429);
    expect(ErrorBody.parse(JSON.parse(a3.text)).error.code).toBe('too_many_streams');
    const b1 = await hold('127.0.0.9');
    expect(b1.status).toBe(200);
    const b2 = await post(origin, { ...ask('b2'), stream: true }, { from: '127.0.0.9' });
    expect(b2.status).toBe(429);
    for (const s of [a1, a2, b1]) s.close();
    await expect.poll(() => stack.lifecycle.streams.size).toBe(0);
    expect((await post(origin, ask('after'), { from: '127.0.0.9' })).status).toBe(200);
  });
});

describe('/metrics is private', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ METRICS_TOKEN: 'metrics-token-0123456789' });
  });
  afterAll(() => stack.close());

  it('the public port answers 404; the metrics port wants its token', async () => {
    const origin = await stack.listen();
    const publicRes = await fetch(`${origin}/metrics`);
    expect(publicRes.status).toBe(404);
    expect(ErrorBody.parse(await publicRes.json()).error.code).toBe('not_found');
    const metrics = await stack.listenMetrics();
    expect((await fetch(`${metrics}/metrics`)).status).toBe(401);
    const ok = await fetch(`${metrics}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('zai_chat_http_requests_total');
  });
});
