import { type Server, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ChatCompletion, ErrorBody } from '@zai-chat/contract';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, collectText, startStack } from '../stack';
import { splitStream } from './helpers';

/**
 * Whatever a client sends, the API answers with a status below 500 and a body of the
 * contract's shape: an ErrorBody for every failure, a stream or a completion for success.
 */
let stack: Stack;
let server: Server;
beforeAll(async () => {
  stack = await startStack({
    UPSTREAM_MAX_ATTEMPTS: '1',
    UPSTREAM_IDLE_TIMEOUT_MS: '2000',
    UPSTREAM_TOTAL_TIMEOUT_MS: '5000',
    BODY_LIMIT_BYTES: '65536',
    MAX_MESSAGES: '20',
    MAX_MESSAGE_CHARS: '2000',
  });
  // One listening server for every run: supertest would otherwise open one per request.
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
});

interface Sent {
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

const statuses = new Map<number, number>();

async function send({ body, contentType = 'application/json', headers = {} }: Sent) {
  const res = await request(server)
    .post('/api/chat')
    .set({ ...headers, 'Content-Type': contentType })
    .send(body)
    .buffer(true)
    .parse(collectText);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = res.body as string;
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers['x-request-id']).toBeTruthy();
  if (res.status >= 300) {
    const error = ErrorBody.parse(JSON.parse(text));
    expect(error.error.requestId).toBe(res.headers['x-request-id']);
    return;
  }
  const type = String(res.headers['content-type']);
  if (type.startsWith('text/event-stream')) {
    const { done, error } = await splitStream(text);
    expect(done || error !== undefined).toBe(true);
  } else {
    expect(type).toMatch(/^application\/json/);
    ChatCompletion.parse(JSON.parse(text));
  }
}

const valid = () => ({ messages: [{ role: 'user', content: 'hi' }], stream: false });

/** Every field of ChatRequest and of a message, to be given a wrong value. */
const FIELDS = [
  'model',
  'messages',
  'stream',
  'temperature',
  'top_p',
  'max_tokens',
  'stop',
  'do_sample',
  'thinking',
  'tools',
  'tool_choice',
  'response_format',
  'user_id',
  'request_id',
] as const;
const MESSAGE_FIELDS = ['role', 'content', 'name', 'tool_calls', 'tool_call_id'] as const;

const hugeNumber = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_VALUE,
    -0,
    2 ** 31,
    2 ** 63,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt().map((b) => b.toString()),
);
const anyValue = fc.oneof(fc.jsonValue(), hugeNumber, fc.string({ maxLength: 3000 }));

const json = (v: unknown) => JSON.stringify(v) ?? 'null';

describe('fuzzed request bodies', () => {
  it('random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => send({ body: json(v) })),
      { numRuns: 400 },
    );
  });

  it('random strings, including unicode and control characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 500 }), async (s) =>
        send({ body: s }),
      ),
      { numRuns: 300 },
    );
  });

  it('valid requests truncated at any byte', async () => {
    const full = JSON.stringify({
      model: 'glm-4.6',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi 🙂 ünïcødé' }] },
      ],
      stream: true,
      temperature: 0.5,
      max_tokens: 100,
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: full.length - 1 }), async (k) =>
        send({ body: full.slice(0, k) }),
      ),
      { numRuns: 300 },
    );
  });

  it('a wrong type or value for every field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIELDS),
        fc.constantFrom(...MESSAGE_FIELDS),
        anyValue,
        fc.boolean(),
        async (field, messageField, value, inMessage) => {
          const body: Record<string, unknown> = valid();
          if (inMessage) body.messages = [{ role: 'user', content: 'hi', [messageField]: value }];
          else body[field] = value;
          await send({ body: json(body) });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('deep nesting in any field (JSON.stringify would overflow at ~4,000 levels) is a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('extra', 'tools', 'response_format', 'stop', 'messages'),
        fc.integer({ min: 33, max: 6000 }),
        fc.constantFrom(['[', ']'], ['{"a":', '}']),
        async (field, depth, [open, close]) => {
          const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
          const body = `{"messages":[{"role":"user","content":"hi"}],"${field}":${nested}}`;
          const res = await request(server)
            .post('/api/chat')
            .set('Content-Type', 'application/json')
            .send(body);
          expect(res.status).toBe(400);
          expect(ErrorBody.parse(res.body).error.message).toMatch(/nests deeper than 32 levels/);
          await send({ body });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('numbers JSON.parse cannot hold exactly, in every numeric field', async () => {
    const raw = fc.constantFrom(
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '-0',
      '0.0000000000000000001',
      '1E-400',
      '2e308',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('temperature', 'top_p', 'max_tokens'),
        raw,
        async (field, number) =>
          send({
            body: `{"messages":[{"role":"user","content":"hi"}],"stream":false,"${field}":${number}}`,
          }),
      ),
      { numRuns: 100 },
    );
  });

  it('random content types and headers', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json;;',
        'text/plain',
        'text/event-stream',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/problem+json',
        '*/*',
        '',
      ),
      fc.stringMatching(/^[ -~]{0,40}$/),
    );
    const headerName = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)
      .filter(
        (n) =>
          !/^(content-(length|type)|transfer-encoding|host|connection|upgrade|expect|te|trailer)$/i.test(
            n,
          ),
      );
    const headers = fc.dictionary(
      fc.oneof(
        headerName,
        fc.constantFrom(
          'Content-Encoding',
          'X-Request-Id',
          'X-Forwarded-For',
          'Accept',
          'Origin',
          'Authorization',
        ),
      ),
      fc.oneof(
        fc.stringMatching(/^[ -~]{0,60}$/),
        fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip, deflate'),
      ),
      { maxKeys: 5 },
    );
    const body = fc.oneof(
      fc.constant(json(valid())),
      fc.jsonValue().map(json),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(contentType, headers, body, async (ct, hs, b) =>
        send({ body: b, contentType: ct, headers: hs }),
      ),
      { numRuns: 400 },
    );
  });

  it('the fuzzing reached every kind of answer, and the API is still healthy', async () => {
    for (const s of [200, 400, 415]) expect(statuses.get(s), `status ${s} seen`).toBeGreaterThan(0);
    const health = await request(server).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    await stack.sim.waitForOpenRequests(0, 5000);
  });
});

/** Raw bytes over http: superagent would JSON-serialise a Buffer sent as application/json. */
function postRaw(headers: Record<string, string>, body: Buffer | string) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api/chat',
      method: 'POST',
      headers,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('compressed bodies', () => {
  it('a corrupt gzip or deflate body is a 400, not a server error', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      const res = await postRaw(
        { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        'definitely not compressed',
      );
      expect(res.status).toBe(400);
      expect(ErrorBody.parse(res.body).error.code).toBe('bad_request');
    }
  });

  it('a valid gzip body is accepted', async () => {
    const res = await postRaw(
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      gzipSync(JSON.stringify(valid())),
    );
    expect(res.status).toBe(200);
    ChatCompletion.parse(res.body);
  });

  it('a gzip bomb is stopped by the body limit on its inflated size', async () => {
    const bomb = gzipSync(`{"messages":[{"role":"user","content":"${' '.repeat(5_000_000)}"}]}`);
    expect(bomb.length).toBeLessThan(65536);
    const res = await postRaw(
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      bomb,
    );
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(res.body).error.code).toBe('payload_too_large');
  });
});
