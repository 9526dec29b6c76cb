import { ChatChunk, ChatCompletion } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../src/index';
import { chat, chunks, frames, json, text } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const nulls = (body: Record<string, unknown> = {}) =>
  chat(sim, { stream: true, messages: [{ role: 'user', content: '[sim:nulls] Hello' }], ...body });

describe('nulls scenario: OpenAI-compatible framing', () => {
  test('every chunk carries the nulls OpenAI-compatible servers send', async () => {
    const cs = await chunks(await nulls());
    const body = cs.slice(0, -1);
    for (const c of body) {
      expect(c).toMatchObject({
        object: 'chat.completion.chunk',
        system_fingerprint: null,
        usage: null,
      });
      expect(Number.isInteger(c.created)).toBe(false);
      expect(typeof c.request_id).toBe('string');
      expect(c.choices).toHaveLength(1);
      expect(c.choices?.[0]).toMatchObject({ index: 0, logprobs: null });
    }
    // Role-only first chunk with content null, then role: null on content chunks.
    expect(cs[0]?.choices?.[0]?.delta).toEqual({ role: 'assistant', content: null });
    const contentDeltas = body.map((c) => c.choices?.[0]?.delta).filter((d) => d?.content);
    expect(contentDeltas.length).toBeGreaterThan(5);
    for (const d of contentDeltas) expect(d?.role).toBeNull();
    // One chunk with delta.role "tool".
    expect(body.filter((c) => c.choices?.[0]?.delta?.role === 'tool')).toHaveLength(1);
    // finish_reason null until the finish chunk, whose delta is empty.
    const finishAt = body.findIndex((c) => c.choices?.[0]?.finish_reason !== null);
    expect(finishAt).toBe(body.length - 1);
    expect(body[finishAt]?.choices?.[0]).toMatchObject({ finish_reason: 'stop', delta: {} });
  });

  test('usage comes last on a choices: [] chunk, without total_tokens, details null', async () => {
    const cs = await chunks(await nulls());
    const last = cs.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({
      prompt_tokens: expect.any(Number) as number,
      completion_tokens: expect.any(Number) as number,
      prompt_tokens_details: null,
    });
    expect(last?.usage).not.toHaveProperty('total_tokens');
  });

  test('the same answer as the Z.AI framing, and every chunk is readable by the contract', async () => {
    const plain = text(await chunks(await chat(sim, { stream: true })));
    const res = await nulls({ messages: [{ role: 'user', content: 'Hello' }], model: 'sim-nulls' });
    const cs = await chunks(res);
    expect(text(cs)).toBe(plain);
    for (const c of cs) expect(ChatChunk.safeParse(c).success, JSON.stringify(c)).toBe(true);
  });

  test('a streamed tool call framed with nulls', async () => {
    const cs = await chunks(
      await nulls({ tools: [{ type: 'function', function: { name: 'get_weather' } }] }),
    );
    const calls = cs.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { arguments: '' } });
    const args = calls.map((c) => c.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({});
    const finish = cs.find((c) => c.choices?.[0]?.finish_reason);
    expect(finish?.choices?.[0]?.finish_reason).toBe('tool_calls');
    for (const c of cs.filter((c) => c.choices?.[0]?.delta?.tool_calls)) {
      expect(c.choices?.[0]?.delta).toMatchObject({ role: null, content: null });
    }
  });

  test('the raw bytes really carry the nulls (not just parse to them)', async () => {
    const data = await frames(await nulls());
    expect(data[1]).toContain('"usage":null');
    expect(data[1]).toContain('"logprobs":null');
    expect(data[1]).toContain('"finish_reason":null');
    expect(data[1]).toContain('"system_fingerprint":null');
    expect(data[1]).toMatch(/"created":\d+\.\d+/);
  });

  test('non-streamed: the completion carries the nulls too', async () => {
    const body = await json(
      await chat(sim, { stream: false, messages: [{ role: 'user', content: '[sim:nulls] hi' }] }),
    );
    expect(ChatCompletion.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ system_fingerprint: null, object: 'chat.completion' });
    expect(body.choices?.[0]).toMatchObject({
      logprobs: null,
      finish_reason: 'stop',
      message: { role: 'assistant', tool_calls: null, refusal: null },
    });
    expect(body.usage).not.toHaveProperty('total_tokens');
  });
});
