import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth';

const bytes = (s: string) => new TextEncoder().encode(s);

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
