import type { Health } from '@zai-chat/contract';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { BackendPool } from './backendPool';

const health = (instance: string): Health => ({
  status: 'ok',
  version: '1',
  upstream: 'simulator',
  instance,
  uptimeSeconds: 1,
});

/** Backends whose health the test switches; counts the checks each one got. */
function fakeBackends(initial: Record<string, boolean>) {
  const up = { ...initial };
  const checks: string[] = [];
  const check = async (base: string) => {
    checks.push(base);
    return up[base] ? health(base || 'same-origin') : undefined;
  };
  return { up, checks, check };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test('requests go to the first healthy base; back to the first as soon as it recovers', async () => {
  const b = fakeBackends({ '': true, 'http://b': true });
  const pool = new BackendPool(['', 'http://b'], {
    check: b.check,
    upIntervalMs: 10_000,
    downIntervalMs: 2_000,
  });
  expect(pool.order()).toEqual(['', 'http://b']);
  pool.start();
  await vi.advanceTimersByTimeAsync(0);
  expect(pool.current()?.base).toBe('');
  expect(pool.current()?.health?.instance).toBe('same-origin');

  // The first goes down: the next check (10 s later) notices, and traffic moves to the second.
  b.up[''] = false;
  await vi.advanceTimersByTimeAsync(9_999);
  expect(pool.current()?.base).toBe('');
  await vi.advanceTimersByTimeAsync(1);
  expect(pool.current()?.base).toBe('http://b');
  expect(pool.order()).toEqual(['http://b', '']);

  // While down it is checked every 2 s, so its recovery shows within one interval.
  b.up[''] = true;
  await vi.advanceTimersByTimeAsync(1_999);
  expect(pool.current()?.base).toBe('http://b');
  await vi.advanceTimersByTimeAsync(1);
  expect(pool.current()?.base).toBe('');
  expect(pool.order()).toEqual(['', 'http://b']);
  pool.stop();
});

test('a failed request marks its base down at once; a check brings it back', async () => {
  const b = fakeBackends({ '': true, 'http://b': true });
  const pool = new BackendPool(['', 'http://b'], { check: b.check, downIntervalMs: 3_000 });
  const seen: string[][] = [];
  pool.subscribe(() => seen.push(pool.getSnapshot().map((s) => s.status)));
  pool.start();
  await vi.advanceTimersByTimeAsync(0);
  pool.markDown('');
  expect(pool.order()).toEqual(['http://b', '']);
  expect(pool.current()?.base).toBe('http://b');
  await vi.advanceTimersByTimeAsync(3_000);
  expect(pool.current()?.base).toBe('');
  expect(seen.at(-1)).toEqual(['up', 'up']);
  expect(seen).toContainEqual(['down', 'up']);
  pool.stop();
});

test('unknown bases come after healthy ones and before those down; none healthy keeps order', async () => {
  const b = fakeBackends({ a: false, b: false, c: true });
  const pool = new BackendPool(['a', 'b', 'c'], { check: b.check });
  expect(pool.order()).toEqual(['a', 'b', 'c']);
  pool.markDown('a');
  expect(pool.order()).toEqual(['b', 'c', 'a']);
  pool.markUp('c');
  expect(pool.order()).toEqual(['c', 'b', 'a']);
  pool.start();
  await vi.advanceTimersByTimeAsync(0);
  expect(pool.order()).toEqual(['c', 'a', 'b']);
  pool.stop();
});

test('a check that hangs is cut at the timeout and counts as down', async () => {
  const pool = new BackendPool(['slow'], {
    timeoutMs: 1_000,
    check: (_base, signal) =>
      new Promise((_resolve, reject) =>
        // abort() without a reason: the signal's reason is an AbortError.
        signal.addEventListener('abort', () => reject(signal.reason as DOMException)),
      ),
  });
  pool.start();
  await vi.advanceTimersByTimeAsync(999);
  expect(pool.getSnapshot()[0]?.status).toBe('unknown');
  await vi.advanceTimersByTimeAsync(1);
  expect(pool.getSnapshot()[0]?.status).toBe('down');
  pool.stop();
});

test('stop ends all checking: no timer keeps running', async () => {
  const b = fakeBackends({ a: true });
  const pool = new BackendPool(['a'], { check: b.check, upIntervalMs: 1_000 });
  pool.start();
  await vi.advanceTimersByTimeAsync(2_500);
  expect(b.checks).toHaveLength(3);
  pool.stop();
  await vi.advanceTimersByTimeAsync(10_000);
  expect(b.checks).toHaveLength(3);
  expect(vi.getTimerCount()).toBe(0);
});
