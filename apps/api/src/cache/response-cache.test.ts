import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, isCacheable } from './response-cache';

const messages = [{ role: 'user', content: 'hi' }];

describe('response cache keys', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('the same request hashes the same whatever its key order or request_id', () => {
    const one = cacheKey('api', 'o', { model: 'm', messages, temperature: 0, request_id: 'x' });
    const two = cacheKey('api', 'o', { temperature: 0, request_id: 'y', messages, model: 'm' });
    expect(one).toBe(two);
    expect(one).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(one).not.toContain('hi');
  });

  it('differs by surface, owner, model, messages and parameters', () => {
    const base = { model: 'm', messages, temperature: 0 };
    const key = cacheKey('api', 'o', base);
    expect(cacheKey('v1', 'o', base)).not.toBe(key);
    expect(cacheKey('api', 'p', base)).not.toBe(key);
    expect(cacheKey('api', 'o', { ...base, model: 'n' })).not.toBe(key);
    expect(cacheKey('api', 'o', { ...base, max_tokens: 5 })).not.toBe(key);
    expect(cacheKey('api', 'o', { ...base, messages: [{ role: 'user', content: 'ho' }] })).not.toBe(
      key,
    );
  });
});

describe('what is cacheable', () => {
  it('temperature 0 without tools or images', () => {
    expect(isCacheable({ messages, temperature: 0 }, false)).toBe(true);
    expect(isCacheable({ messages }, false)).toBe(false);
    expect(isCacheable({ messages, temperature: 0.2 }, false)).toBe(false);
    expect(isCacheable({ messages, temperature: 0, tools: [{ type: 'function' }] }, false)).toBe(
      false,
    );
    const image = [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] },
    ];
    expect(isCacheable({ messages: image, temperature: 0 }, false)).toBe(false);
  });

  it('anything when the caller opted in', () => {
    expect(isCacheable({ messages, temperature: 0.9, tools: [{}] }, true)).toBe(true);
  });
});
