import { ChatChunk } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hostileWebSearchResults, startSimulator, type Simulator } from '../src/index';
import { chat, chunks, json, text } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const ask = (content: string, body: Record<string, unknown> = {}) =>
  chat(sim, { stream: true, messages: [{ role: 'user', content }], ...body });

describe('web-search scenario', () => {
  test('the first chunk carries web_search results, then the text cites them', async () => {
    const cs = await chunks(await ask('[sim:web-search] latest news'));
    const [first, ...rest] = cs;
    expect(ChatChunk.safeParse(first).success).toBe(true);
    expect(first?.web_search).toHaveLength(3);
    expect(first?.web_search?.[0]).toEqual({
      title: expect.any(String) as string,
      link: expect.stringMatching(/^https:\/\//) as string,
      content: expect.any(String) as string,
      media: expect.any(String) as string,
      icon: expect.stringMatching(/^https:\/\//) as string,
      refer: 'ref_1',
      publish_date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) as string,
    });
    expect(first?.web_search?.map((r) => r.refer)).toEqual(['ref_1', 'ref_2', 'ref_3']);
    expect(rest.some((c) => c.web_search)).toBe(false);
    const answer = text(cs);
    for (const ref of ['[ref_1]', '[ref_2]', '[ref_3]']) expect(answer).toContain(ref);
    expect(cs.at(-1)?.choices?.[0]?.finish_reason).toBe('stop');
  });

  test('results=N sets the number of results and citations', async () => {
    const cs = await chunks(await ask('[sim:web-search results=5] more'));
    expect(cs[0]?.web_search).toHaveLength(5);
    expect(text(cs)).toContain('[ref_5]');
  });

  test('hostile=1 sends script in titles and javascript:/data: links, one normal link', async () => {
    const cs = await chunks(await ask('[sim:web-search hostile=1] attack'));
    const results = cs[0]?.web_search ?? [];
    expect(results).toEqual(hostileWebSearchResults(3));
    const titles = results.map((r) => r.title).join(' ');
    expect(titles).toContain('<img src=x onerror=alert(1)>');
    expect(titles).toContain('<script>');
    const links = results.map((r) => r.link ?? '');
    expect(links.filter((l) => l.startsWith('javascript:'))).toHaveLength(1);
    expect(links.filter((l) => l.startsWith('data:text/html,'))).toHaveLength(1);
    expect(links.filter((l) => l.startsWith('https://'))).toHaveLength(1);
  });

  test('chosen automatically by a web_search tool', async () => {
    const cs = await chunks(
      await ask('what happened today?', {
        tools: [{ type: 'web_search', web_search: { enable: true, search_result: true } }],
      }),
    );
    expect(cs[0]?.web_search).toHaveLength(3);
    expect(sim.requests.at(-1)?.scenario.name).toBe('web-search');
  });

  test('non-streamed: web_search is a top-level field of the completion', async () => {
    const body = await json(await ask('[sim:web-search results=2] now', { stream: false }));
    expect(body.web_search?.map((r) => r.refer)).toEqual(['ref_1', 'ref_2']);
    expect(body.choices?.[0]?.message?.content).toContain('[ref_2]');
  });
});
