import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { useUndo } from './useUndo';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

test('an offer is kept for its time, then forgotten', () => {
  const { result } = renderHook(() => useUndo<string>(8000));
  act(() => result.current.offer('chat A'));
  expect(result.current.pending).toBe('chat A');
  act(() => {
    vi.advanceTimersByTime(7999);
  });
  expect(result.current.pending).toBe('chat A');
  act(() => {
    vi.advanceTimersByTime(1);
  });
  expect(result.current.pending).toBeUndefined();
});

test('take hands the item back once; a new offer replaces the old and restarts the clock', () => {
  const { result } = renderHook(() => useUndo<string>(8000));
  act(() => result.current.offer('A'));
  act(() => {
    vi.advanceTimersByTime(5000);
  });
  act(() => result.current.offer('B'));
  act(() => {
    vi.advanceTimersByTime(5000);
  });
  expect(result.current.pending).toBe('B');
  let taken: string | undefined;
  act(() => {
    taken = result.current.take();
  });
  expect(taken).toBe('B');
  expect(result.current.pending).toBeUndefined();
  act(() => result.current.offer(undefined));
  expect(result.current.pending).toBeUndefined();
});
