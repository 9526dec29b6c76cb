import { expect, test } from 'vitest';
import { check, fmt, formatTable, ratio } from '../src/report';

test('targets are checked against the pipe of the same run', () => {
  expect(check.plusAtMost(1.2, 0.9, 0.3).met).toBe(true);
  expect(check.plusAtMost(1.21, 0.9, 0.3).met).toBe(false);
  expect(check.timesAtMost(200, 100, 2).met).toBe(true);
  expect(check.timesAtMost(201, 100, 2).met).toBe(false);
  expect(check.shareAtLeast(75, 100, 0.75).met).toBe(true);
  expect(check.shareAtLeast(74, 100, 0.75).met).toBe(false);
  expect(check.atMost(100, 100, 'ms')).toEqual({ text: '≤ 100 ms', met: true });
  expect(check.atMost(Number.POSITIVE_INFINITY, 100).met).toBe(false);
  expect(check.atMost(Number.NaN, 100).met).toBe(false);
  expect(check.none(0, 0, undefined).met).toBe(true);
  expect(check.none(0, 1).met).toBe(false);
});

test('the ratio is zai-chat over the pipe, and absent without both', () => {
  expect(ratio({ metric: 'm', api: 3, pipe: 2 })).toBe(1.5);
  expect(ratio({ metric: 'm', api: 3 })).toBeUndefined();
  expect(ratio({ metric: 'm', api: 3, pipe: 0 })).toBeUndefined();
});

test('the table has every column, the ratio, the target and whether it was met', () => {
  const table = formatTable([
    { metric: 'CPU per request', api: 689, pipe: 122, target: check.timesAtMost(689, 122, 2) },
    { metric: 'Chunks/s', api: 80_490, pipe: 192_314, direct: 250_000 },
  ]);
  const [header, rule, cpu, chunks] = table.split('\n');
  expect(header).toMatch(
    /\| Metric +\| zai-chat \| pipe +\| direct +\| ÷ pipe \| Target +\| Met +\|/,
  );
  expect(rule).toMatch(/^\|-+\|/);
  expect(cpu).toContain('5.65×');
  expect(cpu).toContain('≤ 2× pipe');
  expect(cpu).toContain('**missed**');
  expect(chunks).toContain('80,490');
  expect(chunks).toContain('250,000');
  expect(chunks).toContain('0.42×');
});

test('numbers keep about three significant digits', () => {
  expect(fmt(0.123)).toBe('0.12');
  expect(fmt(12.34)).toBe('12.3');
  expect(fmt(1234.5)).toBe('1,235');
  expect(fmt(0)).toBe('0'); // counts stay counts
  expect(fmt(25)).toBe('25');
  expect(fmt(undefined)).toBe('');
  expect(fmt(Number.NaN)).toBe('');
  expect(fmt(Number.POSITIVE_INFINITY)).toBe('∞');
});
