import { Writable } from 'node:stream';
import { ErrorBody } from '@zai-chat/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, collectText, startStack } from '../stack';

/** Headers, CORS, and proof that neither the upstream key nor the upstream's words leak. */

describe('security headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['GET /health', () => request(stack.app).get('/health')],
    ['404', () => request(stack.app).get('/nope')],
    ['400', () => request(stack.app).post('/api/chat').send({})],
    [
      'stream',
      () =>
        request(stack.app)
          .post('/api/chat')
          .send({ messages: [{ role: 'user', content: 'hi' }] })
          .buffer(true)
          .parse(collectText),
    ],
  ])('%s carries helmet headers and no x-powered-by', async (_name, send) => {
    const res = await send();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('by default no origin is allowed, and never `*`', async () => {
    for (const origin of ['http://a.test', 'http://evil.test', 'null']) {
      const res = await request(stack.app).get('/health').set('Origin', origin);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(stack.app)
        .options('/api/chat')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('CORS with CORS_ORIGINS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: 'http://a.test' });
  });
  afterAll(() => stack.close());

  it('the listed origin is allowed, by name, for the chat preflight and responses', async () => {
    const preflight = await request(stack.app)
      .options('/api/chat')
      .set('Origin', 'http://a.test')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://a.test');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const res = await request(stack.app).post('/api/chat').set('Origin', 'http://a.test').send({});
    expect(res.headers['access-control-allow-origin']).toBe('http://a.test');
    // The browser may read the request id and timing of a failed call.
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });

  it('any other origin gets no Access-Control-Allow-Origin', async () => {
    for (const origin of ['http://b.test', 'http://a.test.evil.test', 'https://a.test']) {
      const res = await request(stack.app).post('/api/chat').set('Origin', origin).send({});
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('the upstream key and upstream error text never leak', () => {
  const CANARY_ID = 'zai-canary-7f3c9e1d4b';
  const CANARY_SECRET = 'canarysecret-5a8e2f71c0';
  const CANARY = `${CANARY_ID}.${CANARY_SECRET}`;
  /** Fragments of the simulator's raw error messages (packages/zai-sim/src/errors.ts). */
  const UPSTREAM_WORDS = [
    'acct_sim_4242',
    'balance -3.20',
    'node sim-7',
    '令牌',
    '欠费',
    '并发数',
    '模型不存在',
    'Prompt 超长',
    '不安全',
  ];

  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const responses: { status: number; headers: Record<string, unknown>; text: string }[] = [];
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(
      {
        SIMULATOR_API_KEY: CANARY,
        UPSTREAM_MAX_ATTEMPTS: '2',
        UPSTREAM_IDLE_TIMEOUT_MS: '300',
        LOG_CONTENT: 'false',
      },
      { apiKey: CANARY },
      logStream,
    );
    const chat = (body: unknown, contentType = 'application/json') =>
      request(stack.app)
        .post('/api/chat')
        .set('Content-Type', contentType)
        .send(typeof body === 'string' ? body : (body as object))
        .buffer(true)
        .parse(collectText);
    const say = (content: string, extra: object = {}) =>
      chat({ messages: [{ role: 'user', content }], ...extra });
    const sent = await Promise.all([
      say('hello'),
      say('hello', { stream: false }),
      say('[sim:reasoning]', { thinking: { type: 'enabled' } }),
      say('[sim:server-error]'),
      say('[sim:server-error]', { stream: false }),
      say('[sim:balance]'),
      say('[sim:rate-limit]'),
      say('[sim:auth]'),
      say('[sim:unknown-model]'),
      say('[sim:too-long]'),
      say('[sim:unsafe]'),
      say('[sim:malformed]'),
      say('[sim:malformed]', { stream: false }),
      say('[sim:drop]'),
      say('[sim:stall]'),
      chat('{"messages": [', 'application/json'),
      chat({ messages: 'nope', temperature: 7 }),
      chat('hello', 'text/plain'),
      request(stack.app).get('/nope'),
      request(stack.app).get('/health'),
      request(stack.app).get('/metrics'),
    ]);
    for (const res of sent) {
      responses.push({
        status: res.status,
        headers: res.headers,
        text: res.text ?? String(res.body),
      });
    }
  });
  afterAll(() => stack.close());

  it('the simulator really was reached with the canary key and really sent error text', () => {
    expect(stack.sim.requests.length).toBeGreaterThan(10);
    expect(stack.sim.requests.every((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(
      true,
    );
    const statuses = new Set(responses.map((r) => r.status));
    for (const s of [200, 400, 404, 415, 429, 502, 503]) expect(statuses).toContain(s);
  });

  it('no response body or header contains the key or any part of it', () => {
    for (const res of responses) {
      const all = `${JSON.stringify(res.headers)}\n${res.text}`;
      expect(all).not.toContain(CANARY_ID);
      expect(all).not.toContain(CANARY_SECRET);
    }
  });

  it("no response echoes the upstream's own error messages", () => {
    for (const res of responses) {
      for (const word of UPSTREAM_WORDS)
        expect(res.text, `${res.status} echoed "${word}"`).not.toContain(word);
      // Error bodies are ours: they parse as ErrorBody.
      if (res.status >= 400) ErrorBody.parse(JSON.parse(res.text));
    }
  });

  it('no log line (at trace level) contains the key or an Authorization header value', () => {
    expect(lines.length).toBeGreaterThan(responses.length);
    for (const line of lines) {
      expect(line).not.toContain(CANARY_ID);
      expect(line).not.toContain(CANARY_SECRET);
      expect(line).not.toMatch(/Bearer /i);
    }
  });

  it('logs keep the upstream status and business code, not its message or the user content', () => {
    const failed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'upstream failed');
    expect(failed.some((l) => l.businessCode === '1113' && l.status === 429)).toBe(true);
    for (const line of lines) {
      for (const word of UPSTREAM_WORDS) expect(line).not.toContain(word);
      expect(line).not.toContain('[sim:');
    }
  });

  it('every response has an X-Request-Id, and every log line carries the id of its request', () => {
    const ids = new Set(responses.map((r) => r.headers['x-request-id'] as string));
    expect(ids.size).toBe(responses.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const logged = new Set<string>();
    for (const line of lines) {
      const entry = JSON.parse(line) as { req?: { id?: unknown }; msg?: string };
      expect(entry.req?.id, `log line without request id: ${entry.msg}`).toBeTypeOf('string');
      expect(ids).toContain(entry.req!.id);
      logged.add(entry.req!.id as string);
    }
    // And each request produced at least its completion line.
    expect(logged).toEqual(ids);
  });

  it('a safe caller-supplied X-Request-Id is reused; an unsafe one is replaced', async () => {
    const kept = await request(stack.app).get('/health').set('X-Request-Id', 'edge-1234.abc:5');
    expect(kept.headers['x-request-id']).toBe('edge-1234.abc:5');
    for (const bad of ['has space', 'x'.repeat(200), 'semi;colon', '<script>']) {
      const res = await request(stack.app).get('/nope').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).not.toBe(bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ErrorBody.parse(res.body).error.requestId).toBe(res.headers['x-request-id']);
    }
  });
});
