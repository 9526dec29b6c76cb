import { expect, test } from 'vitest';
import { formatArguments, mergeToolCalls } from './toolCalls';

test('fragments are assembled by index: name and id from the first, arguments appended', () => {
  let calls = mergeToolCalls(
    [],
    [
      {
        index: 0,
        id: 'call_a',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
    ],
  );
  calls = mergeToolCalls(calls, [{ index: 0, function: { arguments: '{"city":' } }]);
  calls = mergeToolCalls(calls, [{ index: 0, function: { arguments: '"Paris"}' } }]);
  expect(calls).toEqual([
    {
      index: 0,
      id: 'call_a',
      type: 'function',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
  ]);
});

test('two calls interleaved by index stay apart, sorted by index', () => {
  const calls = mergeToolCalls(
    [],
    [
      { index: 1, id: 'b', function: { name: 'second', arguments: '' } },
      { index: 0, id: 'a', function: { name: 'first', arguments: '{"x"' } },
      { index: 1, function: { arguments: '{"y":2}' } },
      { index: 0, function: { arguments: ':1}' } },
    ],
  );
  expect(calls.map((c) => [c.index, c.name, c.arguments])).toEqual([
    [0, 'first', '{"x":1}'],
    [1, 'second', '{"y":2}'],
  ]);
});

test('a name repeated on every fragment is not doubled; nulls are ignored', () => {
  const calls = mergeToolCalls(
    [],
    [
      { index: 0, id: null, type: null, function: { name: 'lookup', arguments: '{"q":' } },
      { index: 0, id: null, type: null, function: { name: 'lookup', arguments: '"a"}' } },
      { index: 0, function: null },
    ],
  );
  expect(calls).toEqual([{ index: 0, name: 'lookup', arguments: '{"q":"a"}' }]);
});

test('a delta without an index continues the last call, or starts one when its id is new', () => {
  let calls = mergeToolCalls([], [{ id: 'a', function: { name: 'one', arguments: '{' } }]);
  calls = mergeToolCalls(calls, [{ function: { arguments: '}' } }]);
  calls = mergeToolCalls(calls, [{ id: 'b', function: { name: 'two', arguments: '{}' } }]);
  expect(calls.map((c) => [c.index, c.id, c.name, c.arguments])).toEqual([
    [0, 'a', 'one', '{}'],
    [1, 'b', 'two', '{}'],
  ]);
});

test('calls no delta touched keep their identity (memoized cards skip re-rendering)', () => {
  const before = mergeToolCalls(
    [],
    [
      { index: 0, function: { name: 'a', arguments: '{}' } },
      { index: 1, function: { name: 'b', arguments: '{' } },
    ],
  );
  const after = mergeToolCalls(before, [{ index: 1, function: { arguments: '}' } }]);
  expect(after[0]).toBe(before[0]);
  expect(after[1]).not.toBe(before[1]);
});

test('arguments are pretty-printed once they parse, shown as they came before that', () => {
  expect(formatArguments('{"city":"Paris","unit":"celsius"}')).toEqual({
    text: '{\n  "city": "Paris",\n  "unit": "celsius"\n}',
    json: true,
  });
  expect(formatArguments('{"city":"Par')).toEqual({ text: '{"city":"Par', json: false });
  expect(formatArguments('  ')).toEqual({ text: '', json: false });
});
