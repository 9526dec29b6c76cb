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

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
