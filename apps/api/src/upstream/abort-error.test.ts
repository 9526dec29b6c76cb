import { describe, expect, it } from 'vitest';
import { abortError } from './abort-error';

describe('abortError', () => {
  it('carries the reason and a stack without frames', () => {
    const reason = Symbol('client gone');
    const err = abortError(reason);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('aborted');
    expect(err.reason).toBe(reason);
    expect(err.stack).toBe('Error: aborted');
  });

  it('leaves the stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    abortError('x');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('later').stack).toMatch(/\n\s+at /);
  });
});
