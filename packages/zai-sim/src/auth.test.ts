import { describe, expect, test } from 'vitest';
import { checkAuth, signZaiJwt as signJwt } from './auth';

const KEY = 'key-id.key-secret';
const NOW = 1_750_000_000_000;

const codeOf = (header: string | undefined, now = NOW) => {
  const result = checkAuth(header, KEY, now);
  return result.ok ? 'ok' : result.error.code;
};

describe('auth like Z.AI', () => {
  test('no header, or an empty one, is 1001', () => {
    expect(codeOf(undefined)).toBe('1001');
    expect(codeOf('')).toBe('1001');
    expect(codeOf('Bearer ')).toBe('1001');
  });

  test('the key is accepted with or without the Bearer scheme', () => {
    expect(codeOf(`Bearer ${KEY}`)).toBe('ok');
    expect(codeOf(`bearer ${KEY}`)).toBe('ok');
    expect(codeOf(KEY)).toBe('ok');
  });

  test('a wrong key is 1002', () => {
    expect(codeOf('Bearer key-id.other-secret')).toBe('1002');
    expect(codeOf('nonsense')).toBe('1002');
  });

  test('a JWT with millisecond times is accepted until exp, then 1003', () => {
    const jwt = signJwt(KEY, { exp: NOW + 60_000, timestamp: NOW });
    expect(codeOf(`Bearer ${jwt}`)).toBe('ok');
    expect(codeOf(`Bearer ${jwt}`, NOW + 5 * 60_000)).toBe('1003');
  });

  test('a bare JWT with microsecond times (zhipuai-sdk-nodejs-v4) is accepted, then expires', () => {
    // The SDK signs exp = now_µs + 180_000 (180 ms in µs); clock tolerance covers a slow trip.
    const jwt = signJwt(KEY, { exp: NOW * 1000 + 180_000, timestamp: NOW * 1000 });
    expect(codeOf(jwt)).toBe('ok');
    expect(codeOf(jwt, NOW + 2_000)).toBe('ok');
    expect(codeOf(jwt, NOW + 60_000)).toBe('1003');
  });

  test('a JWT signed with another secret, for another id or without sign_type is 1002', () => {
    const claims = { exp: NOW + 60_000, timestamp: NOW };
    expect(codeOf(signJwt('key-id.wrong', claims))).toBe('1002');
    expect(codeOf(signJwt(KEY, { ...claims, api_key: 'other-id' }))).toBe('1002');
    expect(codeOf(signJwt(KEY, claims, { alg: 'HS256' }))).toBe('1002');
  });

  test('an expired token with a bad signature is 1002, not 1003', () => {
    const stale = signJwt('key-id.wrong', { exp: NOW - 60_000, timestamp: NOW - 120_000 });
    expect(codeOf(stale)).toBe('1002');
  });
});
