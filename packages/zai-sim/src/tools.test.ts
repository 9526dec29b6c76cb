import { describe, expect, test } from 'vitest';
import { messageFrom, truncateToTokens } from './pieces';
import { DEFAULT_TOOL, planCalls, readTools, sampleArguments, toolCallPieces } from './tools';

const fn = (name: string, parameters: unknown = {}) => ({
  type: 'function',
  function: { name, parameters },
});

describe('sampleArguments', () => {
  test('the default tool gives the documented arguments', () => {
    expect(JSON.stringify(sampleArguments(DEFAULT_TOOL.parameters))).toBe(
      '{"city":"Paris","unit":"celsius"}',
    );
  });

  test('covers strings, numbers, integers, booleans, enums, arrays, nesting and required', () => {
    const schema = {
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 5 },
        code: { type: 'string', minLength: 15 },
        limit: { type: 'integer', minimum: 3, maximum: 10 },
        ratio: { type: 'number', maximum: 0.5 },
        exact: { type: 'boolean' },
        sort: { enum: ['asc', 'desc'] },
        kind: { const: 'fixed' },
        when: { type: 'string', format: 'date' },
        tags: { type: 'array', items: { type: 'string' } },
        where: { type: 'object', properties: { location: { type: 'string' } } },
        maybe: { type: ['null', 'integer'] },
        either: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
      },
      required: ['query', 'undeclared'],
    };
    expect(sampleArguments(schema)).toEqual({
      query: 'examp',
      code: 'example codexxx',
      limit: 3,
      ratio: 0.5,
      exact: true,
      sort: 'asc',
      kind: 'fixed',
      when: '2025-01-01',
      tags: ['example tags'],
      where: { location: 'Paris' },
      maybe: 1,
      either: true,
      undeclared: 'example undeclared',
    });
  });

  test('is deterministic, and parallel calls to one tool differ', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    expect(sampleArguments(schema)).toEqual(sampleArguments(schema));
    expect(sampleArguments(schema, 1)).toEqual({ city: 'Tokyo' });
  });

  test('junk schemas give an object, never a throw', () => {
    for (const junk of [undefined, null, 42, 'x', [], { type: 'object', properties: 5 }]) {
      expect(sampleArguments(junk)).toEqual(expect.any(Object));
    }
    // Self-referencing depth is bounded.
    const deep: Record<string, unknown> = { type: 'object', properties: {} };
    let node = deep;
    for (let i = 0; i < 50; i++) {
      const child = { type: 'object', properties: {} };
      (node.properties as Record<string, unknown>).next = child;
      node = child;
    }
    expect(() => JSON.stringify(sampleArguments(deep))).not.toThrow();
  });
});

describe('readTools', () => {
  test('function tools in order, the tool_choice one first', () => {
    const tools = readTools({
      tools: [fn('a'), { type: 'web_search', web_search: {} }, fn('b')],
      tool_choice: { type: 'function', function: { name: 'b' } },
    });
    expect(tools.functions.map((f) => f.name)).toEqual(['b', 'a']);
    expect(tools).toMatchObject({ wantsTools: true, wantsWebSearch: true });
  });

  test('tool_choice none, no tools, or only web_search do not ask for tool calls', () => {
    expect(readTools({ tools: [fn('a')], tool_choice: 'none' }).wantsTools).toBe(false);
    expect(readTools({ tools: [] }).wantsTools).toBe(false);
    expect(readTools({ tools: 'junk' }).wantsTools).toBe(false);
    expect(readTools({ tools: [{ type: 'web_search' }] })).toMatchObject({
      wantsTools: false,
      wantsWebSearch: true,
    });
  });

  test('a non-empty tools array without a usable function falls back to get_weather', () => {
    const tools = readTools({ tools: [1, { type: 'function' }] });
    expect(tools.wantsTools).toBe(true);
    expect(planCalls(tools)[0]?.name).toBe('get_weather');
  });
});

describe('tool call pieces', () => {
  test('header with role, id, type, name and empty arguments, then argument fragments', () => {
    const calls = planCalls(readTools({ tools: [fn('lookup', DEFAULT_TOOL.parameters)] }), 2);
    const pieces = toolCallPieces(calls);
    expect(pieces[0]?.delta).toEqual({
      role: 'assistant',
      tool_calls: [
        {
          index: 0,
          id: calls[0]?.id,
          type: 'function',
          function: { name: 'lookup', arguments: '' },
        },
      ],
    });
    expect(calls[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    const fragments0 = pieces.filter((p) => p.tokens > 0 && p.delta.tool_calls?.[0]?.index === 0);
    expect(fragments0.length).toBeGreaterThanOrEqual(3);
    expect(fragments0.every((p) => Object.keys(p.delta).join() === 'tool_calls')).toBe(true);

    const message = messageFrom(pieces);
    expect(message.content).toBeNull();
    expect(message.tool_calls?.map((c) => [c.index, c.function.name])).toEqual([
      [0, 'lookup'],
      [1, 'lookup'],
    ]);
    expect(JSON.parse(message.tool_calls?.[0]?.function.arguments ?? '')).toEqual({
      city: 'Paris',
      unit: 'celsius',
    });
    expect(JSON.parse(message.tool_calls?.[1]?.function.arguments ?? '')).toEqual({
      city: 'Tokyo',
      unit: 'celsius',
    });
  });

  test('a token budget ending inside the first call drops the second header too', () => {
    const pieces = toolCallPieces(planCalls(readTools({ tools: [fn('x')] }), 2));
    const first = pieces.findIndex((p, i) => i > 0 && p.tokens === 0);
    const budget = pieces.slice(0, first).filter((p) => p.tokens > 0).length;
    const kept = truncateToTokens(pieces, budget);
    expect(kept).toHaveLength(first);
    expect(messageFrom(kept).tool_calls).toHaveLength(1);
  });
});
