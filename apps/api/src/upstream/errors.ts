import type { ErrorCode } from '@zai-chat/contract';

/** Anything that went wrong talking to the upstream, already mapped to our vocabulary. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure';
  constructor(
    readonly code: ErrorCode,
    readonly retryable: boolean,
    /** What the upstream said, for logs only: never sent to the client. */
    readonly detail: { status?: number; businessCode?: string; cause?: string } = {},
    readonly retryAfterMs?: number,
  ) {
    super(code);
  }
}

const BY_BUSINESS_CODE: Record<string, ErrorCode> = {
  '1000': 'upstream_auth',
  '1001': 'upstream_auth',
  '1002': 'upstream_auth',
  '1003': 'upstream_auth',
  '1004': 'upstream_auth',
  '1113': 'insufficient_balance',
  '1302': 'rate_limited',
  '1303': 'rate_limited',
  '1305': 'rate_limited',
  '1211': 'model_not_found',
  '1210': 'bad_request',
  '1214': 'bad_request',
  '1261': 'context_too_long',
  '1301': 'content_filtered',
};

function byStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'upstream_auth';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 504) return 'upstream_timeout';
  if (status >= 500) return 'upstream_unavailable';
  return 'upstream_error';
}

const RETRYABLE = new Set<ErrorCode>(['rate_limited', 'upstream_unavailable', 'upstream_timeout']);

/** Map an upstream HTTP error: business code first, HTTP status second (zai-protocol.md). */
export function mapUpstreamError(
  status: number,
  businessCode: string | undefined,
  retryAfterMs?: number,
): UpstreamFailure {
  const code = (businessCode && BY_BUSINESS_CODE[businessCode]) || byStatus(status);
  return new UpstreamFailure(code, RETRYABLE.has(code), { status, businessCode }, retryAfterMs);
}

/** HTTP status and words for each code: what the browser sees instead of the upstream's text. */
export const ERROR_RESPONSES: Record<ErrorCode, { status: number; message: string }> = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  unsupported_media_type: { status: 415, message: 'Send the request as application/json.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  not_found: { status: 404, message: 'There is nothing at this address.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again shortly.' },
  insufficient_balance: {
    status: 503,
    message: 'The Z.AI account behind this service has run out of balance.',
  },
  upstream_auth: { status: 502, message: "Z.AI rejected this service's credentials." },
  model_not_found: { status: 400, message: 'That model does not exist on Z.AI.' },
  context_too_long: { status: 400, message: 'The conversation is too long for this model.' },
  content_filtered: { status: 400, message: 'Z.AI judged the input unsafe and refused it.' },
  upstream_unavailable: { status: 502, message: 'Z.AI is unavailable right now.' },
  upstream_timeout: { status: 504, message: 'Z.AI did not answer in time.' },
  upstream_protocol: { status: 502, message: 'Z.AI sent a response that could not be read.' },
  upstream_error: { status: 502, message: 'Z.AI failed to complete the answer.' },
  shutting_down: { status: 503, message: 'The server is restarting. Try again in a moment.' },
  stream_interrupted: { status: 502, message: 'The stream was interrupted.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
};

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
