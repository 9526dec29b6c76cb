import { ERRORS, type ErrorCode } from '@zai-chat/contract';

/** The contract's words for `code`, with the wait spelled out when the API gave one. */
export function describeError(code: ErrorCode, retryAfterSeconds?: number): string {
  const base = (ERRORS[code] ?? ERRORS.internal).message;
  if (code === 'rate_limited' && retryAfterSeconds) {
    return `Too many requests right now. Retry in ${Math.ceil(retryAfterSeconds)} s.`;
  }
  return base;
}

export function describeFinishReason(reason: string | undefined | null): string | undefined {
  switch (reason) {
    case undefined:
    case null:
    case 'stop':
      return undefined;
    case 'length':
      return 'Cut off (length limit)';
    case 'sensitive':
      return 'Filtered by Z.AI';
    case 'network_error':
      return 'Z.AI reported a network error';
    case 'tool_calls':
      return 'Asked to call a tool';
    default:
      return `Ended: ${reason}`;
  }
}
