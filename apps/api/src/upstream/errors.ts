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

  /** Z.AI's 1312: this model is overloaded now; another model may answer at once. */
  get modelOverloaded(): boolean {
    return this.detail.businessCode === '1312';
  }
}

/**
 * Z.AI's business codes (zai-protocol.md, the full published table) → our code. Every code
 * in the table is listed, so a new one is a deliberate choice rather than a silent fallback
 * to the HTTP status.
 */
const BY_BUSINESS_CODE: Record<string, ErrorCode> = {
  // Authentication
  '1000': 'upstream_auth',
  '1001': 'upstream_auth',
  '1002': 'upstream_auth',
  '1003': 'upstream_auth',
  '1004': 'upstream_auth',
  // Account
  '1100': 'upstream_account',
  '1110': 'upstream_account',
  '1111': 'upstream_account',
  '1112': 'upstream_account',
  '1113': 'insufficient_balance',
  '1120': 'upstream_unavailable',
  '1121': 'upstream_account',
  // API call
  '1200': 'upstream_error',
  '1210': 'bad_request',
  '1211': 'model_not_found',
  '1212': 'bad_request',
  '1213': 'bad_request',
  '1214': 'bad_request',
  '1215': 'bad_request',
  '1220': 'upstream_account',
  '1221': 'upstream_error',
  '1222': 'upstream_error',
  '1230': 'upstream_error',
  '1231': 'bad_request',
  '1234': 'upstream_unavailable',
  '1261': 'context_too_long',
  // Policy
  '1300': 'content_filtered',
  '1301': 'content_filtered',
  '1302': 'rate_limited',
  '1303': 'rate_limited',
  '1304': 'upstream_quota',
  '1305': 'rate_limited',
  '1308': 'upstream_quota',
  '1309': 'upstream_account',
  '1310': 'upstream_quota',
  '1311': 'model_not_found',
  '1312': 'upstream_unavailable',
  '1313': 'rate_limited',
  '500': 'upstream_unavailable',
};

/** Worth another attempt before the first byte (zai-protocol.md: 1120, 1234, 1302, 1303, 1305, 1312, 5xx). */
const RETRYABLE_BUSINESS_CODES = new Set([
  '1120',
  '1234',
  '1302',
  '1303',
  '1305',
  '1312',
  '1313',
  '500',
]);

function byStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'upstream_auth';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 504) return 'upstream_timeout';
  if (status >= 500) return 'upstream_unavailable';
  return 'upstream_error';
}

const RETRYABLE_CODES = new Set<ErrorCode>([
  'rate_limited',
  'upstream_unavailable',
  'upstream_timeout',
]);

/** Map an upstream HTTP error: business code first, HTTP status second (zai-protocol.md). */
/**
 * A business code from an error body as the string the tables are keyed by: Z.AI sends "1302"
 * or 1302; anything else is kept as its JSON (for the log) rather than "[object Object]".
 */
export function businessCodeOf(code: unknown): string | undefined {
  if (code === undefined || code === null) return undefined;
  return typeof code === 'string' ? code : JSON.stringify(code);
}

export function mapUpstreamError(
  status: number,
  businessCode: string | undefined,
  retryAfterMs?: number,
): UpstreamFailure {
  const known = businessCode !== undefined ? BY_BUSINESS_CODE[businessCode] : undefined;
  const code = known ?? byStatus(status);
  const retryable =
    known !== undefined && businessCode !== undefined
      ? RETRYABLE_BUSINESS_CODES.has(businessCode)
      : RETRYABLE_CODES.has(code);
  return new UpstreamFailure(code, retryable, { status, businessCode }, retryAfterMs);
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Beijing time: Z.AI writes reset times without a zone, in UTC+8. */
const ZAI_UTC_OFFSET_MS = 8 * 3600_000;
const RESET_AT = [
  /reset at (\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/i,
  /将在\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*重置/,
];

/**
 * Quota errors (1308 usage cap, 1310 weekly/monthly cap) name when the quota resets, e.g.
 * `Usage limit reached for 5 hour. Your limit will reset at 2026-09-09 05:38:28` (Beijing
 * time). Returns the milliseconds until then, so the client gets it as Retry-After.
 */
export function parseQuotaReset(message: string, now = Date.now()): number | undefined {
  for (const pattern of RESET_AT) {
    const m = pattern.exec(message);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const at = Date.UTC(y, mo - 1, d, h, mi, s) - ZAI_UTC_OFFSET_MS;
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
  }
  return undefined;
}
