import { ErrorBody } from '@zai-chat/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, userMessage } from './stack';

/** Bad requests get a 4xx ErrorBody that names what is wrong, never a 5xx. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    MAX_MESSAGES: '5',
    MAX_MESSAGE_CHARS: '1000',
    MAX_TOKENS_CEILING: '4096',
  });
});
afterAll(() => stack.close());

const post = () => request(stack.app).post('/api/chat');

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  return body;
}

describe('validation names each bad field', () => {
  const cases: [string, unknown, string[]][] = [
    ['no messages', { messages: [] }, ['messages']],
    ['missing messages', { model: 'glm-4.6' }, ['messages']],
    ['unknown role', { messages: [{ role: 'wizard', content: 'hi' }] }, ['messages.0.role']],
    ['temperature 3', { ...userMessage('hi'), temperature: 3 }, ['temperature']],
    ['top_p 0', { ...userMessage('hi'), top_p: 0 }, ['top_p']],
    ['max_tokens not an integer', { ...userMessage('hi'), max_tokens: 1.5 }, ['max_tokens']],
    ['max_tokens over the ceiling', { ...userMessage('hi'), max_tokens: 100_000 }, ['max_tokens']],
    [
      'too many messages',
      { messages: Array(6).fill({ role: 'user', content: 'x' }) },
      ['messages'],
    ],
    ['message too long', userMessage('x'.repeat(1001)), ['messages.0.content']],
    [
      'bad content part',
      { messages: [{ role: 'user', content: [{ type: 'image_url' }] }] },
      ['messages.0.content.0.type'],
    ],
    [
      'two bad fields',
      { messages: [{ role: 'user', content: 1 }], temperature: -1 },
      ['messages.0.content', 'temperature'],
    ],
    ['a JSON array', [1, 2], ['(body)']],
  ];

  it.each(cases)('%s → 400 bad_request', async (_name, body, paths) => {
    const res = await post().send(body as object);
    const error = expectError(res, 400, 'bad_request');
    expect(error.error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(paths));
    for (const path of paths) expect(error.error.message).toContain(path);
  });
});

describe('errors quote little of what was sent', () => {
  it('a 900 KB bad role value comes back as a short excerpt, not twice in full', async () => {
    const role = 'x'.repeat(900_000);
    const res = await post().send({ messages: [{ role, content: 'hi' }] });
    const error = expectError(res, 400, 'bad_request');
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    expect(error.error.issues?.[0]?.path).toBe('messages.0.role');
  });

  it('hundreds of bad fields are reported as the first few', async () => {
    const messages = Array.from({ length: 150 }, () => ({ role: 'nobody', content: 1 }));
    const res = await post().send({ messages });
    const error = expectError(res, 400, 'bad_request');
    expect(error.error.issues!.length).toBeLessThanOrEqual(20);
    expect(JSON.stringify(res.body).length).toBeLessThan(8000);
  });
});

describe('malformed HTTP', () => {
  it('invalid JSON → 400 invalid_json', async () => {
    const res = await post().set('Content-Type', 'application/json').send('{"messages": [');
    expectError(res, 400, 'invalid_json');
  });

  it('a JSON string (not an object) → 400', async () => {
    const res = await post().set('Content-Type', 'application/json').send('"hello"');
    expect(res.status).toBe(400);
    ErrorBody.parse(res.body);
  });

  it('wrong content type → 415 unsupported_media_type', async () => {
    const res = await post()
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(userMessage('hi')));
    expectError(res, 415, 'unsupported_media_type');
  });

  it('no body at all → 415', async () => {
    expectError(await post(), 415, 'unsupported_media_type');
  });

  it('a 2 MB body → 413 payload_too_large', async () => {
    const res = await post().send(userMessage('x'.repeat(9 * 1024 * 1024)));
    expectError(res, 413, 'payload_too_large');
  });

  it('unknown charset → 415', async () => {
    const res = await post().set('Content-Type', 'application/json; charset=klingon').send('{}');
    expectError(res, 415, 'unsupported_media_type');
  });

  it('unknown route → 404 not_found', async () => {
    expectError(await request(stack.app).get('/api/nope'), 404, 'not_found');
  });

  it('GET on the chat route → 404, not a crash', async () => {
    expectError(await request(stack.app).get('/api/chat'), 404, 'not_found');
  });

  it('none of these reached the upstream', () => {
    expect(stack.sim.totalRequests()).toBe(0);
  });
});
