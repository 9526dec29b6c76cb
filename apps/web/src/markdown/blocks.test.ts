import { expect, test } from 'vitest';
import { splitBlocks } from './blocks';

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
