import { ChatChunk } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../src/index';
import { chat, chunks, deltas, finishReason, json, text } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const contentChunks = (cs: Awaited<ReturnType<typeof chunks>>) =>
  deltas(cs).filter((d) => typeof d.content === 'string' && d.content !== '').length;

describe('max_tokens', () => {
  test('a stream stops after max_tokens content chunks with finish_reason length', async () => {
    const full = await chunks(await chat(sim, { stream: true }));
    expect(contentChunks(full)).toBeGreaterThan(5);
    const cut = await chunks(await chat(sim, { stream: true, max_tokens: 5 }));
    expect(contentChunks(cut)).toBe(5);
    expect(finishReason(cut)).toBe('length');
    const usage = cut.at(-1)?.usage;
    expect(usage?.completion_tokens).toBe(5);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? NaN) + 5);
    expect(text(full).startsWith(text(cut))).toBe(true);
  });

  test('non-streamed: the same cut text, finish_reason length, usage saying so', async () => {
    const streamed = text(await chunks(await chat(sim, { stream: true, max_tokens: 4 })));
    const body = await json(await chat(sim, { stream: false, max_tokens: 4 }));
    expect(body.choices?.[0]?.finish_reason).toBe('length');
    expect(body.choices?.[0]?.message?.content).toBe(streamed);
    expect(body.usage?.completion_tokens).toBe(4);
  });

  test('reasoning counts too: a small budget ends inside the reasoning', async () => {
    const cs = await chunks(
      await chat(sim, { stream: true, max_tokens: 3, thinking: { type: 'enabled' } }),
    );
    expect(deltas(cs).filter((d) => d.reasoning_content).length).toBe(3);
    expect(contentChunks(cs)).toBe(0);
    expect(finishReason(cs)).toBe('length');
  });

  test('a budget the answer fits in changes nothing', async () => {
    const full = await chunks(await chat(sim, { stream: true }));
    const roomy = await chunks(await chat(sim, { stream: true, max_tokens: 10_000 }));
    expect(text(roomy)).toBe(text(full));
    expect(finishReason(roomy)).toBe('stop');
  });
});

describe('request_id', () => {
  test('the body request_id is echoed on every chunk and on the completion', async () => {
    const cs = await chunks(await chat(sim, { stream: true, request_id: 'req-abc-123' }));
    expect(cs.length).toBeGreaterThan(3);
    expect(cs.every((c) => c.request_id === 'req-abc-123')).toBe(true);
    const body = await json(await chat(sim, { stream: false, request_id: 'req-xyz' }));
    expect(body.request_id).toBe('req-xyz');
  });

  test('without one, a Z.AI-style id is generated: one per request, on every chunk', async () => {
    const a = await chunks(await chat(sim, { stream: true }));
    const id = a[0]?.request_id;
    expect(id).toMatch(/^20\d{12}[0-9a-f]{16}$/);
    expect(a.every((c) => c.request_id === id)).toBe(true);
    expect(sim.requests.at(-1)?.requestId).toBe(id);
    const b = await json(await chat(sim, { stream: false }));
    expect(b.request_id).toMatch(/^20\d{12}[0-9a-f]{16}$/);
    expect(b.request_id).not.toBe(id);
  });
});

describe('stream_options.include_usage', () => {
  test('usage moves to an extra final chunk with choices: []', async () => {
    const cs = await chunks(
      await chat(sim, { stream: true, stream_options: { include_usage: true } }),
    );
    const [finish, usageChunk] = cs.slice(-2);
    expect(finish?.choices?.[0]?.finish_reason).toBe('stop');
    expect(finish).not.toHaveProperty('usage');
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.completion_tokens).toBe(contentChunks(cs));
    expect(usageChunk?.request_id).toBe(finish?.request_id);
    expect(ChatChunk.safeParse(usageChunk).success).toBe(true);
    expect(cs.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  test('without it, usage stays on the finish chunk', async () => {
    const cs = await chunks(await chat(sim, { stream: true }));
    expect(cs.at(-1)?.choices?.[0]?.finish_reason).toBe('stop');
    expect(cs.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });
});
