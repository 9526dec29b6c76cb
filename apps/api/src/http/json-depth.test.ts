import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth';

const bytes = (s: string) => Buffer.from(s);

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":"[[[[[[[[{{{{"}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":"\\"[[[[","b":1}'), 1)).toBe(false);
  });

  it('finds 4,000 levels in a pass-through field', () => {
    const deep = `{"messages":[],"extra":${'['.repeat(4000)}${']'.repeat(4000)}}`;
    expect(nestsDeeperThan(bytes(deep), 32)).toBe(true);
  });
});

describe('nestsDeeperThan, strings', () => {
  it('escaped quotes and backslashes do not end a string early', () => {
    expect(nestsDeeperThan(bytes('{"a":"x\\\\"}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":"\\\\\\"[[["}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":"\\\\","b":[[1]]}'), 2)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":"unterminated [[[['), 1)).toBe(false);
  });
});

describe('nestsDeeperThan agrees with the parsed value', () => {
  const depthOf = (v: unknown): number =>
    typeof v === 'object' && v !== null
      ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf))
      : 0;
  it('for any JSON value and limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(nestsDeeperThan(bytes(text), limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 2000 },
    );
  });
});
