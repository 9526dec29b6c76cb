/**
 * The error an upstream request is destroyed with when its abort reason is not an Error (the
 * client left, Stop). Built without a stack: Node's `destroy(err)` reads `err.stack` at once,
 * which formats it, and an abort's stack says nothing (`pnpm bench --profile`: stack
 * formatting was ~6% of the API's CPU for 1,000 aborts). The reason stays on `reason`.
 */
export function abortError(reason: unknown): Error & { reason: unknown } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return Object.assign(new Error('aborted'), { reason });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
