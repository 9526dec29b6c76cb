import { ChatChunk, ChatCompletion, DONE_SENTINEL, ErrorBody } from '@zai-chat/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, collectText, framesOf, startStack, userMessage } from './stack';

/** Server side of the contract: every frame the API emits parses with the contract's schemas. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '1', UPSTREAM_IDLE_TIMEOUT_MS: '300' });
});
afterAll(() => stack.close());

const chat = (body: object) =>
  request(stack.app).post('/api/chat').send(body).buffer(true).parse(collectText);

async function streamFrames(directive: string) {
  const res = await chat(userMessage(`Tell me something ${directive}`));
  return { res, frames: await framesOf(res.body as string) };
}

function chunksOf(frames: { event?: string; data: string }[]) {
  return frames
    .filter((f) => f.event === undefined && f.data !== DONE_SENTINEL)
    .map((f) => ChatChunk.parse(JSON.parse(f.data)));
}

describe('successful streams', () => {
  const complete = [
    ['normal', '', 'stop'],
    ['reasoning', '[sim:reasoning]', 'stop'],
    ['markdown', '[sim:markdown]', 'stop'],
    ['slow', '[sim:slow ms=300]', 'stop'],
    ['sensitive', '[sim:sensitive]', 'sensitive'],
    ['length', '[sim:length]', 'length'],
    ['network-error', '[sim:network-error]', 'network_error'],
  ] as const;

  it.each(complete)(
    '%s: every frame is a ChatChunk and [DONE] comes last',
    async (_name, directive, finish) => {
      const { res, frames } = await streamFrames(directive);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(frames.at(-1)?.data).toBe(DONE_SENTINEL);
      expect(frames.filter((f) => f.data === DONE_SENTINEL)).toHaveLength(1);
      const chunks = chunksOf(frames);
      expect(chunks.length).toBe(frames.length - 1);
      const last = chunks.at(-1)!;
      expect(last.choices?.[0]?.finish_reason).toBe(finish);
      expect(last.usage?.total_tokens).toBeGreaterThan(0);
    },
  );

  it('relays the upstream bytes and keeps fields Z.AI adds', async () => {
    const { frames } = await streamFrames('');
    const last = JSON.parse(frames.at(-2)!.data) as Record<string, unknown>;
    expect(last.content_filter).toEqual([{ role: 'assistant', level: 3 }]);
    // Passthrough: the schema keeps unknown fields rather than stripping them.
    expect(ChatChunk.parse(last)).toHaveProperty('content_filter');
  });

  it('sends reasoning before content', async () => {
    const { frames } = await streamFrames('[sim:reasoning]');
    const kinds = chunksOf(frames)
      .map((c) =>
        c.choices?.[0]?.delta?.reasoning_content ? 'r' : c.choices?.[0]?.delta?.content ? 'c' : '',
      )
      .filter(Boolean)
      .join('');
    expect(kinds).toMatch(/^r+c+$/);
  });

  it('forwards the default model and the caller request_id upstream', async () => {
    await chat({ ...userMessage('hi'), request_id: 'req-42' });
    const sent = stack.sim.requests.at(-1)!;
    expect(sent.body.model).toBe(stack.config.upstream.defaultModel);
    expect(sent.body.request_id).toBe('req-42');
    expect(sent.body.stream).toBe(true);
  });

  it('stream: false returns the ChatCompletion JSON', async () => {
    const res = await request(stack.app)
      .post('/api/chat')
      .send({ ...userMessage('hi'), stream: false });
    expect(res.status).toBe(200);
    const completion = ChatCompletion.parse(res.body);
    expect(completion.choices?.[0]?.message.content).toContain('Simulated answer');
  });
});

describe('upstream errors before the stream', () => {
  const mapped = [
    ['auth', 502, 'upstream_auth'],
    ['rate-limit', 429, 'rate_limited'],
    ['balance', 503, 'insufficient_balance'],
    ['server-error', 502, 'upstream_unavailable'],
    ['unknown-model', 400, 'model_not_found'],
    ['too-long', 400, 'context_too_long'],
    ['unsafe', 400, 'content_filtered'],
  ] as const;

  it.each(mapped)(
    '%s → %i %s, without echoing the upstream message',
    async (scenario, status, code) => {
      const res = await request(stack.app)
        .post('/api/chat')
        .send(userMessage(`x [sim:${scenario}]`));
      expect(res.status).toBe(status);
      const body = ErrorBody.parse(res.body);
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toBe(res.headers['x-request-id']);
      expect(res.text).not.toContain('acct_sim_4242');
      if (code === 'rate_limited') expect(res.headers['retry-after']).toBe('1');
    },
  );

  it('stream: false maps errors the same way', async () => {
    const res = await request(stack.app)
      .post('/api/chat')
      .send({ ...userMessage('x [sim:balance]'), stream: false });
    expect(res.status).toBe(503);
    expect(ErrorBody.parse(res.body).error.code).toBe('insufficient_balance');
  });
});

describe('failures after the stream began', () => {
  const midStream = [
    ['drop', 'upstream_error'],
    ['malformed', 'upstream_protocol'],
    ['stall', 'upstream_timeout'],
  ] as const;

  it.each(midStream)(
    '%s → chunks so far, then one error event, then close',
    async (scenario, code) => {
      const { res, frames } = await streamFrames(`[sim:${scenario}]`);
      expect(res.status).toBe(200);
      const last = frames.at(-1)!;
      expect(last.event).toBe('error');
      const body = ErrorBody.parse(JSON.parse(last.data));
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toBe(res.headers['x-request-id']);
      const before = frames.slice(0, -1);
      expect(before.length).toBeGreaterThan(0);
      expect(chunksOf(before)).toHaveLength(before.length); // what was received stays valid
      expect(frames.some((f) => f.data === DONE_SENTINEL)).toBe(false);
    },
  );
});
