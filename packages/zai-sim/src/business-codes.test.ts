import { describe, expect, test } from 'vitest';
import {
  BUSINESS_CODES,
  beijingTime,
  businessError,
  statusFor,
  zaiRequestId,
} from './business-codes';

/** Every code of Z.AI's published table (shared/zai-protocol.md, "Business codes in full"). */
const PUBLISHED = [
  '500',
  ...['1000', '1001', '1002', '1003', '1004'],
  ...['1100', '1110', '1111', '1112', '1113', '1120', '1121'],
  ...['1200', '1210', '1211', '1212', '1213', '1214', '1215', '1220', '1221', '1222'],
  ...['1230', '1231', '1234', '1261'],
  ...['1300', '1301', '1302', '1303', '1304', '1305'],
  ...['1308', '1309', '1310', '1311', '1312', '1313'],
];

// 2025-01-01 20:30:15 UTC, i.e. 2025-01-02 04:30:15 in Beijing.
const NOW = Date.UTC(2025, 0, 1, 20, 30, 15);

describe('business-code table', () => {
  test('maps exactly the published codes', () => {
    expect(Object.keys(BUSINESS_CODES).sort()).toEqual([...PUBLISHED].sort());
  });

  test('statuses follow Z.AI: 401 auth, 429 balance/quota/rate, 400 parameters, 500 internal', () => {
    for (const code of ['1000', '1001', '1002', '1003', '1004']) expect(statusFor(code)).toBe(401);
    for (const code of ['1113', '1302', '1303', '1304', '1305', '1308', '1310', '1312']) {
      expect(statusFor(code)).toBe(429);
    }
    for (const code of ['1210', '1211', '1213', '1214', '1261', '1301']) {
      expect(statusFor(code)).toBe(400);
    }
    expect(statusFor('500')).toBe(500);
    expect(statusFor('1234')).toBe(500);
    expect(statusFor('1220')).toBe(434);
    expect(statusFor('9999')).toBe(500);
  });

  test('retryable codes are exactly the ones the protocol notes list', () => {
    const retryable = Object.entries(BUSINESS_CODES)
      .filter(([, spec]) => spec.retryable)
      .map(([code]) => code)
      .sort();
    expect(retryable).toEqual(['1120', '1234', '1302', '1303', '1305', '1312', '500'].sort());
  });

  test('every message has its placeholders filled', () => {
    for (const code of PUBLISHED) {
      const { message, status } = businessError(code, { now: NOW });
      expect(message, code).not.toMatch(/\$\{/);
      expect(message.length, code).toBeGreaterThan(3);
      expect(status, code).toBe(statusFor(code));
    }
  });
});

describe('messages clients parse', () => {
  test('1308 names the reset one hour ahead in Beijing time, without a zone', () => {
    expect(businessError('1308', { now: NOW }).message).toBe(
      'Usage limit reached for 5 hour. Your limit will reset at 2025-01-02 05:30:15',
    );
  });

  test('1310 takes its reset from resetInSeconds', () => {
    expect(businessError('1310', { now: NOW, resetInSeconds: 7200 }).message).toBe(
      'Weekly/Monthly Limit Exhausted. Your limit will reset at 2025-01-02 06:30:15',
    );
  });

  test('1312 suggests another model, never one that is overloaded too', () => {
    expect(businessError('1312', { model: 'glm-4.6' }).message).toBe(
      'The model glm-4.6 is currently overloaded, please try glm-4.5-air',
    );
    expect(
      businessError('1312', { model: 'glm-4.6', avoidModels: ['glm-4.6', 'glm-4.5-air'] }).message,
    ).toBe('The model glm-4.6 is currently overloaded, please try glm-4.5');
  });

  test('1214 names the field', () => {
    expect(businessError('1214', { field: 'top_p' }).message).toBe('top_p 参数非法。请检查文档');
  });
});

describe('time and ids', () => {
  test('beijingTime is UTC+8 across a date line', () => {
    expect(beijingTime(Date.UTC(2024, 11, 31, 16, 0, 0))).toBe('2025-01-01 00:00:00');
  });

  test('request ids look like Z.AI ones: Beijing timestamp then 16 hex digits, unique', () => {
    const id = zaiRequestId(NOW);
    expect(id).toMatch(/^20250102043015[0-9a-f]{16}$/);
    expect(zaiRequestId(NOW)).not.toBe(id);
  });
});
