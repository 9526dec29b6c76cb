import { expect, test } from 'vitest';
import { BlockGrouper, BlockSplitter, scanBlocks, splitBlocks } from './blocks';

test('splits at blank lines but never inside code fences or $$ math', () => {
  const text = [
    '# Title',
    '',
    'Para one',
    'still one',
    '',
    '```ts',
    'a',
    '',
    'b',
    '```',
    '',
    '$$',
    'x',
    '',
    'y',
    '$$',
    '',
    'tail',
  ].join('\n');
  expect(splitBlocks(text)).toEqual([
    '# Title',
    'Para one\nstill one',
    '```ts\na\n\nb\n```',
    '$$\nx\n\ny\n$$',
    'tail',
  ]);
});

test('an unclosed fence (still streaming) stays one growing tail block', () => {
  expect(splitBlocks('intro\n\n```js\nconst a = 1;\n\nconst b')).toEqual([
    'intro',
    '```js\nconst a = 1;\n\nconst b',
  ]);
});

test('the incremental splitter gives the same blocks as a full split at every step of a stream', () => {
  const text = [
    '# Head',
    '',
    'para',
    '',
    '```js',
    'x',
    '',
    'y',
    '```',
    '',
    '- a',
    '- b',
    '',
    '',
    'end',
  ].join('\n');
  const splitter = new BlockSplitter();
  for (let i = 1; i <= text.length; i++) {
    const { finished, tail } = splitter.update(text.slice(0, i));
    expect([...finished, ...(tail ? [tail] : [])]).toEqual(splitBlocks(text.slice(0, i)));
  }
});

test('finished blocks keep their identity while the tail grows; a different text starts over', () => {
  const splitter = new BlockSplitter();
  const first = splitter.update('one\n\ntwo\n\nthr');
  expect(first).toEqual({ finished: ['one', 'two'], tail: 'thr' });
  const next = splitter.update('one\n\ntwo\n\nthree and more');
  expect(next.finished).toBe(first.finished);
  expect(next.tail).toBe('three and more');
  expect(splitter.update('other\n\ntext')).toEqual({ finished: ['other'], tail: 'text' });
});

test('a block ended by a blank line stays the tail until text after it arrives', () => {
  expect(scanBlocks('a\n\nb\n\n', 0)).toEqual({ finished: ['a'], tailStart: 3 });
  expect(scanBlocks('a\n\nb\n\nc', 0)).toEqual({ finished: ['a', 'b'], tailStart: 6 });
});

test('groups of finished blocks: full groups keep their identity, only the last one changes', () => {
  const grouper = new BlockGrouper(2);
  const g1 = grouper.update(['a', 'b', 'c']);
  expect(g1).toEqual([['a', 'b'], ['c']]);
  const g2 = grouper.update(['a', 'b', 'c', 'd', 'e']);
  expect(g2).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  expect(g2[0]).toBe(g1[0]);
  expect(grouper.update(['a', 'b', 'c', 'd', 'e'])).toBe(g2);
  expect(grouper.update(['z'])).toEqual([['z']]);
});
