import { ERROR_CODES } from '@zai-chat/contract';
import { expect, test } from 'vitest';
import { describeError, describeFinishReason } from './errors';

test('every contract error code has its own readable sentence', () => {
  for (const code of ERROR_CODES) {
    const text = describeError(code);
    expect(text).toMatch(/^[A-Z].*[.!?]$/);
    expect(text).not.toContain(code);
  }
  expect(describeError('rate_limited', 12)).toContain('12 s');
});

test('finish reasons: stop says nothing, length and sensitive are named', () => {
  expect(describeFinishReason('stop')).toBeUndefined();
  expect(describeFinishReason('length')).toBe('Cut off (length limit)');
  expect(describeFinishReason('sensitive')).toBe('Filtered by Z.AI');
  expect(describeFinishReason('brand_new')).toBe('Ended: brand_new');
});
