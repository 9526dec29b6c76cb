import { businessError, type UpstreamError } from './business-codes';

/** GLM's ranges (not OpenAI's): the same bounds as the contract's RANGES. */
export const PARAMETER_LIMITS = {
  temperature: { min: 0, max: 1 },
  top_p: { min: 0.01, max: 1 },
  /** The largest `max_tokens` Z.AI accepts for its biggest models. */
  max_tokens: { max: 98_304 },
} as const;

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * Refuse what Z.AI refuses with 1214 (HTTP 400), naming the field: `temperature` outside
 * [0, 1], `top_p` outside [0.01, 1], `max_tokens` not a positive integer or above 98304,
 * `messages` missing, empty or not an array, a message that is not an object with a known
 * role. A missing or null optional field is fine; unknown model names are not refused here.
 */
export function validateChatBody(body: Record<string, unknown>): UpstreamError | undefined {
  const field = invalidField(body);
  return field === undefined ? undefined : businessError('1214', { field });
}

function invalidField(body: Record<string, unknown>): string | undefined {
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages';
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `messages[${i}]`;
    const role = (m as { role?: unknown }).role;
    if (typeof role !== 'string' || !ROLES.has(role)) return `messages[${i}].role`;
  }
  if (!inRange(body.temperature, PARAMETER_LIMITS.temperature)) return 'temperature';
  if (!inRange(body.top_p, PARAMETER_LIMITS.top_p)) return 'top_p';
  const maxTokens = body.max_tokens;
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    !(
      Number.isInteger(maxTokens) &&
      (maxTokens as number) > 0 &&
      (maxTokens as number) <= PARAMETER_LIMITS.max_tokens.max
    )
  ) {
    return 'max_tokens';
  }
  return undefined;
}

function inRange(value: unknown, range: { min: number; max: number }): boolean {
  if (value === undefined || value === null) return true;
  return typeof value === 'number' && value >= range.min && value <= range.max;
}
