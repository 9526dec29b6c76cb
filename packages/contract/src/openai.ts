import { z } from 'zod';
import { ERRORS, type ErrorSpec, type OpenAiErrorType } from './errors';
import { ChatRequest, type ErrorCode, type FieldIssue } from './schemas';

/**
 * The OpenAI-compatible surface (`/v1`), so the SDKs people already use (the `openai` SDK, the
 * Vercel AI SDK's openai-compatible provider) work unmodified. Same chat request as
 * `/api/chat`, with OpenAI's conventions: `stream` defaults to false, `stream_options` and
 * `max_completion_tokens` are understood, errors are `{"error":{message,type,param,code}}`.
 */

export const OpenAiChatRequest = ChatRequest.extend({
  stream: z.boolean().default(false),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
  /** OpenAI's newer name for `max_tokens`; sent to Z.AI as `max_tokens`. */
  max_completion_tokens: z.number().int().positive().nullish(),
});

export const OpenAiErrorBody = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    /** Our ErrorCode, so a client can tell `upstream_auth` from `unauthorized`. */
    code: z.string().nullable(),
  }),
});

export const OpenAiModel = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.string(),
  })
  .passthrough();

export const OpenAiModelList = z.object({
  object: z.literal('list'),
  data: z.array(OpenAiModel),
});

/**
 * The status `/v1` answers `code` with. SDKs retry 408, 409, 429 and every 5xx on their own
 * (the openai SDK also obeys `x-should-retry`; the AI SDK only looks at the status). When a
 * retry cannot help — the API already retried the upstream, or the error can never succeed
 * (auth, balance, a quota until its reset) — another attempt by the SDK would only multiply
 * upstream requests and delay the answer, so such errors are `424 Failed Dependency`, a
 * status every SDK treats as final. Errors of the caller's own request keep their 4xx, and
 * `final: false` keeps the natural status (the SDK's retry is then the only retry layer).
 */
export function openAiStatus(
  code: ErrorCode,
  final: boolean,
): ErrorSpec['status'] | typeof FAILED_DEPENDENCY {
  const status = ERRORS[code].status;
  const sdkWouldRetry = status === 429 || status >= 500;
  return final && sdkWouldRetry ? FAILED_DEPENDENCY : status;
}

export const FAILED_DEPENDENCY = 424;

export function openAiErrorBody(
  code: ErrorCode,
  message: string,
  issues?: FieldIssue[],
): OpenAiErrorBody {
  const type: OpenAiErrorType = ERRORS[code].openAiType;
  return { error: { message, type, param: issues?.[0]?.path ?? null, code } };
}

export type OpenAiChatRequest = z.infer<typeof OpenAiChatRequest>;
export type OpenAiChatRequestInput = z.input<typeof OpenAiChatRequest>;
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBody>;
export type OpenAiModelList = z.infer<typeof OpenAiModelList>;
