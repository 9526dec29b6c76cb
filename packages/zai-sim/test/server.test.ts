import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChatChunk, readSseFrames } from '@zai-chat/contract';
import { startSimulator, type Simulator } from '../src/index';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ slowTotalMs: 400 });
});
afterAll(() => sim.close());

function chat(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  key = sim.apiKey,
) {
  return fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: 'Hello' }],
      ...body,
    }),
  });
}

async function frames(res: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readSseFrames(res.body!)) out.push(ev.data);
  return out;
}

describe('simulator wire protocol', () => {
  test('streams valid chat.completion.chunk frames ending in [DONE], answer is deterministic', async () => {
    const a = await frames(await chat({ stream: true }));
    const b = await frames(await chat({ stream: true }));
    expect(a.at(-1)).toBe('[DONE]');
    const chunks = a.slice(0, -1).map((f) => ChatChunk.parse(JSON.parse(f)));
    expect(chunks.at(-1)?.choices?.[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    const text = (fs: string[]) =>
      fs
        .slice(0, -1)
        .map(
          (f) =>
            (JSON.parse(f) as { choices: { delta: { content?: string } }[] }).choices?.[0]?.delta
              .content ?? '',
        )
        .join('');
    expect(text(a)).toBe(text(b));
    expect(text(a).length).toBeGreaterThan(20);
  });

  test('reasoning scenario sends reasoning_content before content', async () => {
    const fs = (await frames(await chat({ stream: true, thinking: { type: 'enabled' } }))).slice(
      0,
      -1,
    );
    const kinds = fs.map((f) => {
      const d = (JSON.parse(f) as { choices: { delta: Record<string, unknown> }[] }).choices?.[0]!
        .delta;
      return d.reasoning_content ? 'r' : d.content ? 'c' : '-';
    });
    expect(kinds[0]).toBe('r');
    expect(kinds.lastIndexOf('r')).toBeLessThan(kinds.indexOf('c'));
  });

  test('wrong or missing key gets Z.AI 401 body', async () => {
    const bad = await chat({}, {}, 'nope.nope');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({
      error: {
        code: expect.any(String) as string,
        message: expect.any(String) as string,
      },
    });
    const missing = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
  });

  test('rate-limit answers 429 with business code 1302 and Retry-After', async () => {
    const res = await chat({}, { 'x-zai-sim-scenario': 'rate-limit' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: { code: '1302' } });
  });

  test('balance answers 429 with 1113 and no Retry-After', async () => {
    const res = await chat({}, { 'x-zai-sim-scenario': 'balance' });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: '1113' } });
  });

  test('slow scenario spreads chunks over its deadline without drift', async () => {
    const started = performance.now();
    const fs = await frames(await chat({ stream: true, model: 'sim-slow' }));
    const elapsed = performance.now() - started;
    expect(fs.at(-1)).toBe('[DONE]');
    expect(elapsed).toBeGreaterThan(350);
    expect(elapsed).toBeLessThan(2000);
  });

  test('sensitive scenario finishes with finish_reason sensitive', async () => {
    const fs = (await frames(await chat({ stream: true, model: 'sim-sensitive' }))).slice(0, -1);
    expect(ChatChunk.parse(JSON.parse(fs.at(-1)!)).choices?.[0]?.finish_reason).toBe('sensitive');
  });

  test('non-stream returns a chat.completion', async () => {
    const res = await chat({ stream: false });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      choices: { message: { content: string } }[];
    };
    expect(body.object).toBe('chat.completion');
    expect(body.choices?.[0]?.message.content.length).toBeGreaterThan(0);
  });

  test('counts open requests and sees a stalled request close when the client aborts', async () => {
    const ac = new AbortController();
    const res = await chat({ stream: true, model: 'sim-stall' }, {}, sim.apiKey);
    expect(res.status).toBe(200);
    expect(sim.openRequests()).toBeGreaterThanOrEqual(1);
    ac.abort();
    await res.body!.cancel();
    await sim.waitForOpenRequests(0, 2000);
    expect(sim.openRequests()).toBe(0);
  });
});
