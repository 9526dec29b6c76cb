import type { ErrorCode } from '@zai-chat/contract';

/** What each contract error code means to a person reading the chat. */
const WORDING: Record<ErrorCode, string> = {
  bad_request: 'The request was not accepted. Check the chat settings and try again.',
  invalid_json: 'The request could not be read by the server.',
  unsupported_media_type: 'The request could not be read by the server.',
  payload_too_large: 'This conversation is too large to send. Start a new chat or shorten it.',
  not_found: 'The chat service could not be found. Is the API running?',
  rate_limited: 'Too many requests right now. Wait a moment, then retry.',
  insufficient_balance: 'The Z.AI account behind this app has run out of balance.',
  upstream_auth: 'The server could not sign in to Z.AI. Its API key needs attention.',
  model_not_found: 'That model is not available. Pick another one in Settings.',
  context_too_long:
    'The conversation is longer than the model can read. Start a new chat or shorten it.',
  content_filtered: 'Z.AI declined to answer this message.',
  upstream_unavailable: 'Z.AI is unavailable right now. Retry in a moment.',
  upstream_timeout: 'Z.AI took too long to answer.',
  upstream_protocol: 'Z.AI sent an answer that could not be read.',
  upstream_error: 'Z.AI stopped answering part way.',
  shutting_down: 'The server is restarting. Retry in a moment.',
  stream_interrupted: 'The connection was lost before the answer finished.',
  internal: 'Something went wrong on the server.',
};

export function describeError(code: ErrorCode, retryAfterSeconds?: number): string {
  const base = WORDING[code] ?? WORDING.internal;
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
