import { ErrorBody, readChatEvents } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';
import { postChat, splitStream, streamOf } from './helpers';

/**
 * An upstream that breaks mid-stream: the client keeps every valid chunk it got, then one
 * typed `event: error` frame, and never a `[DONE]` that would pass a broken answer off as whole.
 */
let stack: Stack;
let baseUrl: string;
beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_ATTEMPTS: '1' });
  baseUrl = await stack.listen();
});
afterAll(() => stack.close());

describe('faults after the stream began', () => {
  it.each([
    ['malformed', '[sim:malformed]', 'upstream_protocol'],
    ['drop', '[sim:drop]', 'upstream_error'],
  ])('%s → valid chunks, then error %s, never [DONE]', async (_name, directive, code) => {
    const { res, text } = await postChat(baseUrl, streamOf(`tell me ${directive}`));
    expect(res.status).toBe(200);
    const { chunks, error, done } = await splitStream(text);
    // The simulator breaks at half its ~30 chunks: everything before must have arrived intact.
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    expect(done).toBe(false);
    expect(text).not.toContain('[DONE]');
    expect(error?.error.code).toBe(code);
    expect(error?.error.requestId).toBe(res.headers.get('x-request-id'));
    // The broken upstream frame is never forwarded.
    expect(text).not.toContain('"broken"');
    await stack.sim.waitForOpenRequests(0, 3000);
  });

  it('the typed client reader surfaces it as an error event, not an exception', async () => {
    const res = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(streamOf('typed [sim:malformed]')),
    });
    const types: string[] = [];
    for await (const event of readChatEvents(res.body!)) types.push(event.type);
    expect(types.at(-1)).toBe('error');
    expect(types.slice(0, -1).every((t) => t === 'chunk')).toBe(true);
    expect(types).not.toContain('done');
  });

  it('active streams and upstream error metrics account for the faults', async () => {
    await expect
      .poll(async () => (await stack.metrics.activeStreams.get()).values[0]?.value)
      .toBe(0);
    const errors = await stack.metrics.upstreamErrors.get();
    const countOf = (code: string) => errors.values.find((v) => v.labels.code === code)?.value;
    expect(countOf('upstream_protocol')).toBeGreaterThanOrEqual(2);
    expect(countOf('upstream_error')).toBeGreaterThanOrEqual(1);
  });
});

describe('the same faults without streaming', () => {
  it('malformed JSON body → 502 upstream_protocol', async () => {
    const { res, text } = await postChat(baseUrl, {
      messages: [{ role: 'user', content: '[sim:malformed]' }],
      stream: false,
    });
    expect(res.status).toBe(502);
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe('upstream_protocol');
  });

  it('connection dropped before any answer → 502 upstream_unavailable', async () => {
    const { res, text } = await postChat(baseUrl, {
      messages: [{ role: 'user', content: '[sim:drop]' }],
      stream: false,
    });
    expect(res.status).toBe(502);
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe('upstream_unavailable');
  });
});
