import { ChatChunk, ChatCompletion } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../src/index';
import {
  chat,
  chunks,
  deltas,
  finishReason,
  json,
  text,
  type WireChunk,
  type WireToolCall,
} from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const searchTool = {
  type: 'function',
  function: {
    name: 'search_flights',
    description: 'Find flights',
    parameters: {
      type: 'object',
      properties: {
        from: { type: 'string' },
        passengers: { type: 'integer', minimum: 1 },
        cabin: { type: 'string', enum: ['economy', 'business'] },
        flexible: { type: 'boolean' },
      },
      required: ['from', 'passengers'],
    },
  },
};

/** Reassemble streamed tool calls by index, as an SDK does. */
function assemble(cs: WireChunk[]): { id?: string; name?: string; arguments: string }[] {
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for (const call of deltas(cs).flatMap((d): WireToolCall[] => d.tool_calls ?? [])) {
    const slot = (calls[call.index ?? 0] ??= { arguments: '' });
    if (call.id) slot.id = call.id;
    if (call.function?.name) slot.name = call.function.name;
    slot.arguments += call.function?.arguments ?? '';
  }
  return calls;
}

describe('streamed tool calls', () => {
  test('[sim:tools] streams a header delta, argument fragments, then tool_calls + usage', async () => {
    const res = await chat(sim, {
      stream: true,
      messages: [{ role: 'user', content: '[sim:tools] weather?' }],
    });
    const cs = await chunks(res);
    for (const c of cs) expect(ChatChunk.safeParse(c).success).toBe(true);

    const first = cs[0]?.choices?.[0]?.delta;
    expect(first).toEqual({
      role: 'assistant',
      tool_calls: [
        {
          index: 0,
          id: expect.stringMatching(/^call_[0-9a-f]+$/) as string,
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
    });
    const fragments = cs.slice(1, -1).map((c) => c.choices?.[0]?.delta);
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    for (const d of fragments) {
      expect(d).toEqual({
        tool_calls: [{ index: 0, function: { arguments: expect.any(String) as string } }],
      });
    }
    const last = cs.at(-1);
    expect(last?.choices?.[0]?.finish_reason).toBe('tool_calls');
    expect(last?.usage?.completion_tokens).toBe(fragments.length);
    expect(assemble(cs)).toEqual([
      {
        id: first?.tool_calls?.[0]?.id,
        name: 'get_weather',
        arguments: '{"city":"Paris","unit":"celsius"}',
      },
    ]);
  });

  test('chosen automatically by a tools array; arguments follow its schema', async () => {
    const res = await chat(sim, { stream: true, tools: [searchTool], tool_choice: 'auto' });
    const [call] = assemble(await chunks(res));
    expect(call?.name).toBe('search_flights');
    expect(JSON.parse(call?.arguments ?? '')).toEqual({
      from: 'example from',
      passengers: 1,
      cabin: 'economy',
      flexible: true,
    });
    expect(sim.requests.at(-1)?.scenario.name).toBe('tools');
  });

  test('calls=2 makes two parallel calls, index 0 and 1, each valid JSON', async () => {
    const res = await chat(sim, {
      stream: true,
      messages: [{ role: 'user', content: '[sim:tools calls=2] two cities' }],
    });
    const cs = await chunks(res);
    const calls = assemble(cs);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => JSON.parse(c.arguments) as unknown)).toEqual([
      { city: 'Paris', unit: 'celsius' },
      { city: 'Tokyo', unit: 'celsius' },
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(finishReason(cs)).toBe('tool_calls');
  });

  test('tool_choice "none" gets a text answer', async () => {
    const cs = await chunks(
      await chat(sim, { stream: true, tools: [searchTool], tool_choice: 'none' }),
    );
    expect(deltas(cs).some((d) => d.tool_calls)).toBe(false);
    expect(text(cs).length).toBeGreaterThan(20);
    expect(finishReason(cs)).toBe('stop');
  });

  test('with thinking enabled, reasoning comes before the tool call', async () => {
    const cs = await chunks(
      await chat(sim, { stream: true, tools: [searchTool], thinking: { type: 'enabled' } }),
    );
    const kinds = deltas(cs).map((d) => (d.reasoning_content ? 'r' : d.tool_calls ? 't' : '-'));
    expect(kinds[0]).toBe('r');
    expect(kinds.lastIndexOf('r')).toBeLessThan(kinds.indexOf('t'));
  });
});

describe('non-streamed tool calls', () => {
  test('message.tool_calls carries the full arguments, content is null', async () => {
    const res = await chat(sim, { stream: false, tools: [searchTool] });
    const body = await json(res);
    expect(ChatCompletion.safeParse(body).success).toBe(true);
    const choice = body.choices?.[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message?.content).toBeNull();
    expect(choice?.message?.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/) as string,
        index: 0,
        type: 'function',
        function: {
          name: 'search_flights',
          arguments: '{"from":"example from","passengers":1,"cabin":"economy","flexible":true}',
        },
      },
    ]);
  });
});

describe('a two-turn tool loop', () => {
  test('a tool result as the last message is answered in words that quote it', async () => {
    const ask = { role: 'user', content: '[sim:tools] What is the weather in Paris?' };
    const first = await json(await chat(sim, { stream: false, messages: [ask] }));
    const call = first.choices?.[0]?.message?.tool_calls?.[0];
    expect(call?.function?.name).toBe('get_weather');

    const result = '{"temperature":21,"conditions":"sunny with light wind from the west"}';
    const messages = [
      ask,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call?.id, content: result },
    ];
    const streamed = await chunks(await chat(sim, { stream: true, messages }));
    expect(finishReason(streamed)).toBe('stop');
    expect(deltas(streamed).some((d) => d.tool_calls)).toBe(false);
    expect(text(streamed)).toContain(`"${result.slice(0, 40)}"`);
    expect(text(streamed)).not.toContain(result.slice(0, 41));

    const whole = await json(await chat(sim, { stream: false, messages, tools: [searchTool] }));
    expect(whole.choices?.[0]?.finish_reason).toBe('stop');
    expect(whole.choices?.[0]?.message?.content).toContain(result.slice(0, 40));
  });
});
