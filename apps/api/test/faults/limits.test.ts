import { request as httpRequest } from 'node:http';
import { ErrorBody } from '@zai-chat/contract';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, userMessage } from '../stack';

/** Every limit answers with a typed ErrorBody that names what was wrong; none reaches the upstream. */

function errorOf(res: { body: unknown; text: string }): ErrorBody {
  return ErrorBody.parse(
    res.body && typeof res.body === 'object' ? res.body : JSON.parse(res.text),
  );
}

describe('request size limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      BODY_LIMIT_BYTES: '2000',
      MAX_MESSAGES: '3',
      MAX_MESSAGE_CHARS: '50',
      MAX_TOKENS_CEILING: '100',
    });
  });
  afterAll(() => stack.close());
  const post = (body: unknown) =>
    request(stack.app)
      .post('/api/chat')
      .set('Content-Type', 'application/json')
      .send(body as object);

  it('a body over BODY_LIMIT_BYTES → 413 payload_too_large', async () => {
    const res = await post({ messages: [{ role: 'user', content: 'x'.repeat(3000) }] });
    expect(res.status).toBe(413);
    expect(errorOf(res).error.code).toBe('payload_too_large');
  });

  it('a chunked body with no Content-Length is cut off at the limit too', async () => {
    const server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { status, text } = await new Promise<{ status: number; text: string }>(
        (resolve, reject) => {
          const req = httpRequest({
            host: '127.0.0.1',
            port,
            path: '/api/chat',
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
          });
          req.on('response', (res) => {
            let t = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (t += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
          });
          req.on('error', reject);
          req.write('{"messages":[{"role":"user","content":"');
          for (let i = 0; i < 10; i++) req.write('y'.repeat(500));
          req.end('"}]}');
        },
      );
      expect(status).toBe(413);
      expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe('payload_too_large');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('more than MAX_MESSAGES messages → 400 naming `messages`', async () => {
    const messages = Array.from({ length: 4 }, (_, i) => ({ role: 'user', content: `m${i}` }));
    const res = await post({ messages });
    expect(res.status).toBe(400);
    const body = errorOf(res);
    expect(body.error.code).toBe('bad_request');
    expect(body.error.issues?.map((i) => i.path)).toEqual(['messages']);
    expect(body.error.message).toContain('messages');
    // At the limit is fine.
    expect((await post({ messages: messages.slice(0, 3), stream: false })).status).toBe(200);
  });

  it('a message over MAX_MESSAGE_CHARS → 400 naming that message, string or parts', async () => {
    const long = 'z'.repeat(51);
    const res = await post({
      messages: [
        { role: 'user', content: 'ok' },
        { role: 'user', content: long },
      ],
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).error.issues?.map((i) => i.path)).toEqual(['messages.1.content']);
    const parts = await post({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'z'.repeat(30) },
            { type: 'text', text: 'z'.repeat(30) },
          ],
        },
      ],
    });
    expect(parts.status).toBe(400);
    expect(errorOf(parts).error.issues?.map((i) => i.path)).toEqual(['messages.0.content']);
  });

  it('max_tokens over MAX_TOKENS_CEILING → 400 naming max_tokens; at the ceiling is accepted', async () => {
    const over = await post({ ...userMessage('hi'), max_tokens: 101 });
    expect(over.status).toBe(400);
    expect(errorOf(over).error.issues?.map((i) => i.path)).toEqual(['max_tokens']);
    expect((await post({ ...userMessage('hi'), max_tokens: 100, stream: false })).status).toBe(200);
  });

  it('none of the rejected requests reached the upstream', () => {
    expect(stack.sim.requests.map((r) => (r.body.messages as unknown[]).length).sort()).toEqual([
      1, 3,
    ]);
  });
});

describe('rate limit', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const chat = (s: Stack, headers: Record<string, string> = {}) =>
    request(s.app)
      .post('/api/chat')
      .set(headers)
      .send({ ...userMessage('hi'), stream: false });

  it('the 4th request in the window → 429 rate_limited with Retry-After', async () => {
    stack = await startStack({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    for (let i = 0; i < 3; i++) expect((await chat(stack)).status).toBe(200);
    const res = await chat(stack);
    expect(res.status).toBe(429);
    const body = errorOf(res);
    expect(body.error.code).toBe('rate_limited');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.error.retryAfter).toBe(retryAfter);
    expect(stack.sim.totalRequests()).toBe(3);
  });

  it('default TRUST_PROXY: a forged X-Forwarded-For does not dodge the limit', async () => {
    stack = await startStack({ RATE_LIMIT_MAX: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await chat(stack, { 'X-Forwarded-For': `203.0.113.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('TRUST_PROXY=1: each X-Forwarded-For client has its own budget', async () => {
    stack = await startStack({ RATE_LIMIT_MAX: '3', TRUST_PROXY: '1' });
    const as = (ip: string) => chat(stack!, { 'X-Forwarded-For': ip });
    for (let i = 0; i < 3; i++) expect((await as('203.0.113.1')).status).toBe(200);
    expect((await as('203.0.113.1')).status).toBe(429);
    expect((await as('203.0.113.2')).status).toBe(200);
    // One hop trusted: a client prepending its own value is still counted by the proxy's entry.
    expect((await as('198.51.100.7, 203.0.113.1')).status).toBe(429);
  });

  it('requests that are not chats are not counted', async () => {
    stack = await startStack({ RATE_LIMIT_MAX: '1' });
    for (let i = 0; i < 5; i++) expect((await request(stack.app).get('/health')).status).toBe(200);
    expect((await chat(stack)).status).toBe(200);
    expect((await chat(stack)).status).toBe(429);
  });
});
