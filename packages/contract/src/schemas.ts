import { z } from 'zod';

/**
 * Schemas for everything that crosses a process boundary. Objects that mirror Z.AI's wire
 * format are `.passthrough()`: Z.AI adds fields over time and we relay them, not strip them.
 */

export const ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export const Role = z.enum(ROLES);

export const TextPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
export const ImageUrlPart = z
  .object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string().min(1) }).passthrough(),
  })
  .passthrough();
export const ContentPart = z.discriminatedUnion('type', [TextPart, ImageUrlPart]);
export const MessageContent = z.union([z.string(), z.array(ContentPart).min(1)]);

export const ToolCall = z
  .object({
    id: z.string().optional(),
    index: z.number().int().optional(),
    type: z.string().optional(),
    function: z
      .object({ name: z.string().optional(), arguments: z.string().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const ChatMessage = z
  .object({
    role: Role,
    content: MessageContent.nullable().optional(),
    name: z.string().optional(),
    tool_calls: z.array(ToolCall).optional(),
    tool_call_id: z.string().optional(),
  })
  .passthrough();

export const Thinking = z.object({ type: z.enum(['enabled', 'disabled']) }).passthrough();

/** The GLM models the UI offers; the API accepts any model name because the list grows. */
export const KNOWN_MODELS = [
  'glm-4.6',
  'glm-4.5',
  'glm-4.5-air',
  'glm-4.5-flash',
  'glm-4.5v',
] as const;

export const ChatRequest = z
  .object({
    model: z.string().min(1).max(128).optional(),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().default(true),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0.01).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
    do_sample: z.boolean().optional(),
    thinking: Thinking.optional(),
    tools: z.array(z.record(z.unknown())).optional(),
    tool_choice: z.union([z.string(), z.record(z.unknown())]).optional(),
    response_format: z
      .object({ type: z.enum(['text', 'json_object']) })
      .passthrough()
      .optional(),
    user_id: z.string().min(1).max(128).optional(),
    request_id: z.string().min(1).max(128).optional(),
  })
  .passthrough();

export const Usage = z
  .object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative(),
    prompt_tokens_details: z
      .object({ cached_tokens: z.number().int().nonnegative().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const FINISH_REASONS = [
  'stop',
  'length',
  'tool_calls',
  'sensitive',
  'network_error',
] as const;
/** Known reasons are listed for the UI; any other string is accepted so a new one never breaks a stream. */
export const FinishReason = z.union([z.enum(FINISH_REASONS), z.string()]);

export const ChunkDelta = z
  .object({
    role: z.literal('assistant').optional(),
    content: z.string().nullable().optional(),
    reasoning_content: z.string().nullable().optional(),
    tool_calls: z.array(ToolCall).optional(),
  })
  .passthrough();

export const ChunkChoice = z
  .object({
    index: z.number().int().nonnegative(),
    delta: ChunkDelta,
    finish_reason: FinishReason.nullable().optional(),
  })
  .passthrough();

/** One `data:` frame of a stream: Z.AI's `chat.completion.chunk`. */
export const ChatChunk = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion.chunk').optional(),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(ChunkChoice),
    usage: Usage.optional(),
  })
  .passthrough();

export const CompletionChoice = z
  .object({
    index: z.number().int().nonnegative(),
    message: z
      .object({
        role: z.literal('assistant'),
        content: z.string().nullable().optional(),
        reasoning_content: z.string().nullable().optional(),
        tool_calls: z.array(ToolCall).optional(),
      })
      .passthrough(),
    finish_reason: FinishReason.nullable(),
  })
  .passthrough();

/** The answer to `stream: false`. */
export const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.string().optional(),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(CompletionChoice),
    usage: Usage.optional(),
  })
  .passthrough();

export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'not_found',
  'rate_limited',
  'insufficient_balance',
  'upstream_auth',
  'model_not_found',
  'context_too_long',
  'content_filtered',
  'upstream_unavailable',
  'upstream_timeout',
  'upstream_protocol',
  'upstream_error',
  'shutting_down',
  'stream_interrupted',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);

export const FieldIssue = z.object({ path: z.string(), message: z.string() });

/** One error shape for HTTP errors and for the mid-stream `event: error` frame. */
export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    requestId: z.string(),
    /** Present on validation errors: one entry per bad field. */
    issues: z.array(FieldIssue).optional(),
    /** Seconds until a retry makes sense (rate limits). */
    retryAfter: z.number().nonnegative().optional(),
  }),
});

export const Health = z.object({
  status: z.enum(['ok', 'draining']),
  version: z.string(),
  upstream: z.enum(['zai', 'simulator']),
  uptimeSeconds: z.number().nonnegative(),
});

export type Role = z.infer<typeof Role>;
export type ContentPart = z.infer<typeof ContentPart>;
export type MessageContent = z.infer<typeof MessageContent>;
export type ChatMessage = z.infer<typeof ChatMessage>;
export type ChatRequest = z.infer<typeof ChatRequest>;
/** What a caller may send: `stream` and other defaults are optional. */
export type ChatRequestInput = z.input<typeof ChatRequest>;
export type Usage = z.infer<typeof Usage>;
export type FinishReason = z.infer<typeof FinishReason>;
export type ChatChunk = z.infer<typeof ChatChunk>;
export type ChatCompletion = z.infer<typeof ChatCompletion>;
export type ErrorCode = z.infer<typeof ErrorCode>;
export type FieldIssue = z.infer<typeof FieldIssue>;
export type ErrorBody = z.infer<typeof ErrorBody>;
export type Health = z.infer<typeof Health>;
