import { describe, expect, it } from 'vitest';
import { businessCodeOf, mapUpstreamError, parseQuotaReset, parseRetryAfter } from './errors';

describe('mapUpstreamError', () => {
  // zai-protocol.md's full table: every code has a deliberate mapping.
  it.each([
    ['1000', 'upstream_auth', false],
    ['1001', 'upstream_auth', false],
    ['1002', 'upstream_auth', false],
    ['1003', 'upstream_auth', false],
    ['1004', 'upstream_auth', false],
    ['1100', 'upstream_account', false],
    ['1110', 'upstream_account', false],
    ['1111', 'upstream_account', false],
    ['1112', 'upstream_account', false],
    ['1113', 'insufficient_balance', false],
    ['1120', 'upstream_unavailable', true],
    ['1121', 'upstream_account', false],
    ['1200', 'upstream_error', false],
    ['1210', 'bad_request', false],
    ['1211', 'model_not_found', false],
    ['1212', 'bad_request', false],
    ['1213', 'bad_request', false],
    ['1214', 'bad_request', false],
    ['1215', 'bad_request', false],
    ['1220', 'upstream_account', false],
    ['1221', 'upstream_error', false],
    ['1222', 'upstream_error', false],
    ['1230', 'upstream_error', false],
    ['1231', 'bad_request', false],
    ['1234', 'upstream_unavailable', true],
    ['1261', 'context_too_long', false],
    ['1300', 'content_filtered', false],
    ['1301', 'content_filtered', false],
    ['1302', 'rate_limited', true],
    ['1303', 'rate_limited', true],
    ['1304', 'upstream_quota', false],
    ['1305', 'rate_limited', true],
    ['1308', 'upstream_quota', false],
    ['1309', 'upstream_account', false],
    ['1310', 'upstream_quota', false],
    ['1311', 'model_not_found', false],
    ['1312', 'upstream_unavailable', true],
    ['1313', 'rate_limited', true],
  ])('business code %s → %s (retryable: %s)', (code, ours, retryable) => {
    const failure = mapUpstreamError(400, code);
    expect(failure.code).toBe(ours);
    expect(failure.retryable).toBe(retryable);
  });

  it('falls back to the HTTP status for an unknown or missing code', () => {
    expect(mapUpstreamError(503, '9999').code).toBe('upstream_unavailable');
    expect(mapUpstreamError(503, '9999').retryable).toBe(true);
    expect(mapUpstreamError(401, undefined).code).toBe('upstream_auth');
    expect(mapUpstreamError(429, undefined).retryable).toBe(true);
    expect(mapUpstreamError(418, undefined).code).toBe('upstream_error');
  });

  it('knows 1312 as "try another model"', () => {
    expect(mapUpstreamError(429, '1312').modelOverloaded).toBe(true);
    expect(mapUpstreamError(429, '1302').modelOverloaded).toBe(false);
  });
});

describe('businessCodeOf', () => {
  it('reads a code sent as a string or a number the same way', () => {
    expect(businessCodeOf('1302')).toBe('1302');
    expect(businessCodeOf(1302)).toBe('1302');
    expect(mapUpstreamError(200, businessCodeOf(1302)).code).toBe(
      mapUpstreamError(200, '1302').code,
    );
  });

  it('no code is undefined; an odd one is kept as JSON, not "[object Object]"', () => {
    expect(businessCodeOf(undefined)).toBeUndefined();
    expect(businessCodeOf(null)).toBeUndefined();
    expect(businessCodeOf({ id: 7 })).toBe('{"id":7}');
  });
});

describe('parseQuotaReset', () => {
  const now = Date.UTC(2026, 8, 8, 21, 0, 0); // 2026-09-08 21:00 UTC = 2026-09-09 05:00 Beijing

  it("reads Z.AI's English 1308 message as Beijing time", () => {
    const msg = 'Usage limit reached for 5 hour. Your limit will reset at 2026-09-09 05:38:28';
    expect(parseQuotaReset(msg, now)).toBe((38 * 60 + 28) * 1000);
  });

  it('reads the Chinese wording and a bracketed variant', () => {
    expect(parseQuotaReset('您的用量已达上限，将在 2026-09-09 06:00:00 重置', now)).toBe(3600_000);
    expect(
      parseQuotaReset(
        '[1308][Usage limit reached for 5 hour. Your limit will reset at 2026-09-09 05:00:10][2026…]',
        now,
      ),
    ).toBe(10_000);
  });

  it('a time already past is 0; no time is undefined', () => {
    expect(parseQuotaReset('Your limit will reset at 2026-09-09 04:00:00', now)).toBe(0);
    expect(parseQuotaReset('Weekly/Monthly Limit Exhausted', now)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
