import { z } from 'zod';
import { ERROR_CODES } from './errors';

/**
 * Schemas for everything that crosses a process boundary. Objects that mirror Z.AI's wire
 * format are `.passthrough()`: Z.AI adds fields over time and we relay them, not strip them.
 * What clients send us is checked strictly (ranges, sizes); what Z.AI sends back is read
 * leniently (see the chunk schemas below).
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
/** A content part of a type this contract does not know yet (e.g. `video_url`): passed on as is. */
export const OtherPart = z
  .object({
    type: z.string().refine((t) => t !== 'text' && t !== 'image_url', {
      message: 'text and image_url parts must have their own fields',
    }),
  })
  .passthrough();
export const ContentPart = z.union([TextPart, ImageUrlPart, OtherPart]);
export const MessageContent = z.union([z.string(), z.array(ContentPart).min(1)]);

/** A tool call as sent back to the model in an assistant message. */
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

/**
 * Ranges the API accepts (GLM's, not OpenAI's: temperature tops out at 1). Declared once;
 * the request schema and the web app's settings both read them. Deployment limits (message
 * count, `max_tokens` ceiling, image bytes) come from `GET /api/config` instead.
 */
export const RANGES = {
  temperature: { min: 0, max: 1 },
  top_p: { min: 0.01, max: 1 },
  stopSequences: { max: 4 },
  modelName: { max: 128 },
} as const;

export const ChatRequest = z
  .object({
    model: z.string().min(1).max(RANGES.modelName.max).optional(),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().default(true),
    temperature: z.number().min(RANGES.temperature.min).max(RANGES.temperature.max).optional(),
    top_p: z.number().min(RANGES.top_p.min).max(RANGES.top_p.max).optional(),
    max_tokens: z.number().int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(RANGES.stopSequences.max)]).optional(),
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

/*
 * What Z.AI sends back is read leniently: every field may be null or missing, unknown fields
 * pass through, and a nested part that does not match (say, a new `web_search` shape) is
 * dropped from the parsed value instead of failing the chunk. OpenAI-compatible servers send
 * `usage: null`, `delta.role: null` and the like on every chunk; none of that may cost the
 * user an answer. The relay forwards the upstream's bytes, so nothing here strips a field
 * on the wire.
 */

export const Usage = z
  .object({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    total_tokens: z.number().nullish(),
    prompt_tokens_details: z
      .object({ cached_tokens: z.number().nullish() })
      .passthrough()
      .nullish()
      .catch(undefined),
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

/** One piece of a streamed tool call: `index` says which call, `arguments` arrive in fragments. */
export const ToolCallDelta = z
  .object({
    index: z.number().nullish(),
    id: z.string().nullish(),
    type: z.string().nullish(),
    function: z
      .object({ name: z.string().nullish(), arguments: z.string().nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

/** One of Z.AI's `web_search` results, sent as a top-level field of a chunk or completion. */
export const WebSearchResult = z
  .object({
    title: z.string().nullish(),
    link: z.string().nullish(),
    content: z.string().nullish(),
    media: z.string().nullish(),
    icon: z.string().nullish(),
    refer: z.string().nullish(),
    publish_date: z.string().nullish(),
  })
  .passthrough();

export const ChunkDelta = z
  .object({
    role: z.string().nullish(),
    content: z.string().nullish(),
    reasoning_content: z.string().nullish(),
    tool_calls: z.array(ToolCallDelta).nullish().catch(undefined),
  })
  .passthrough();

export const ChunkChoice = z
  .object({
    index: z.number().nullish(),
    delta: ChunkDelta.nullish(),
    finish_reason: FinishReason.nullish(),
  })
  .passthrough();

/**
 * One `data:` frame of a stream: Z.AI's `chat.completion.chunk`. Usable when it has a
 * `choices` array, or a `usage` object (a usage-only final chunk, as OpenAI's `include_usage`
 * sends with `choices: []` or Z.AI might send without `choices`).
 */
export const ChatChunk = z
  .object({
    id: z.string().nullish(),
    object: z.string().nullish(),
    created: z.number().nullish(),
    model: z.string().nullish(),
    choices: z.array(ChunkChoice).optional(),
    usage: Usage.nullish(),
    web_search: z.array(WebSearchResult).nullish().catch(undefined),
  })
  .passthrough()
  .refine((c) => c.choices !== undefined || (c.usage !== null && c.usage !== undefined), {
    message: 'a chunk needs a choices array or a usage object',
  });

export const CompletionChoice = z
  .object({
    index: z.number().nullish(),
    message: z
      .object({
        role: z.string().nullish(),
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(ToolCallDelta).nullish().catch(undefined),
      })
      .passthrough(),
    finish_reason: FinishReason.nullish(),
  })
  .passthrough();

/** The answer to `stream: false`. */
export const ChatCompletion = z
  .object({
    id: z.string().nullish(),
    object: z.string().nullish(),
    created: z.number().nullish(),
    model: z.string().nullish(),
    choices: z.array(CompletionChoice),
    usage: Usage.nullish(),
    web_search: z.array(WebSearchResult).nullish().catch(undefined),
  })
  .passthrough();

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
    /** Seconds until a retry makes sense (rate limits, budgets, quotas with a reset time). */
    retryAfter: z.number().nonnegative().optional(),
  }),
});

export const UpstreamKind = z.enum(['zai', 'simulator']);

export const Health = z.object({
  /** `degraded`: serving, but a shared dependency (Redis) is down; `reasons` says which. */
  status: z.enum(['ok', 'degraded', 'draining']),
  version: z.string(),
  upstream: UpstreamKind,
  /** Which API process answered (INSTANCE_ID, else the hostname): replicas behind one address differ. */
  instance: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  reasons: z.array(z.string()).optional(),
});

/** A model this deployment offers and what it can do (vision → the UI offers to attach images). */
export const ModelInfo = z.object({
  id: z.string(),
  /** Display name; the id when absent. */
  name: z.string().optional(),
  vision: z.boolean(),
  reasoning: z.boolean(),
  tools: z.boolean(),
});

export const ACCESS_MODES = ['open', 'keys', 'proxy'] as const;
export const AccessMode = z.enum(ACCESS_MODES);

/** What this deployment accepts, so clients never offer what the API would refuse. */
export const ApiConfig = z.object({
  upstream: UpstreamKind,
  defaultModel: z.string(),
  models: z.array(ModelInfo),
  limits: z.object({
    maxMessages: z.number().int().positive(),
    maxMessageChars: z.number().int().positive(),
    maxTokensCeiling: z.number().int().positive(),
    bodyBytes: z.number().int().positive(),
    /** Bytes of one image (decoded from its data URL). */
    maxImageBytes: z.number().int().positive(),
    maxImagesPerRequest: z.number().int().nonnegative(),
  }),
  access: z.object({ mode: AccessMode }),
  /** Streams can be resumed after a reload or a lost connection (`GET /api/chat/streams/:id`). */
  resumableStreams: z.boolean(),
});

/**
 * Resumable streams. Every streamed `/api/chat` answer has an id (`X-Stream-Id`, at least 128
 * random bits, base64url) and numbered frames (`id: 1`, `id: 2`, …, the `[DONE]` or error
 * frame last); `GET /api/chat/streams/:streamId` with `Last-Event-ID` continues after a frame.
 */
export const StreamId = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'not a stream id');
/** The id of the last frame a client received; frames are numbered from 1. */
export const LastEventId = z.string().regex(/^\d{1,12}$/, 'must be a frame number');

export const StopChatResult = z.object({
  streamId: StreamId,
  /** False when the answer had already ended (or its producer went away): nothing to stop. */
  stopped: z.boolean(),
});

/**
 * `event: reconnect`: the replica serving this stream is shutting down; continue with
 * `GET /api/chat/streams/<streamId>` and `Last-Event-ID: <lastEventId>` (after the SSE
 * `retry:` delay). Not part of the answer: it has no `id:` line.
 */
export const ReconnectEvent = z.object({ streamId: StreamId, lastEventId: LastEventId });

/** `event: stopped` (numbered, last): the answer was stopped by its owner (`POST …/stop`). */
export const StoppedEvent = z.object({ streamId: StreamId });

export type Role = z.infer<typeof Role>;
export type ContentPart = z.infer<typeof ContentPart>;
export type MessageContent = z.infer<typeof MessageContent>;
export type ChatMessage = z.infer<typeof ChatMessage>;
export type ChatRequest = z.infer<typeof ChatRequest>;
/** What a caller may send: `stream` and other defaults are optional. */
export type ChatRequestInput = z.input<typeof ChatRequest>;
export type Usage = z.infer<typeof Usage>;
export type FinishReason = z.infer<typeof FinishReason>;
export type ToolCallDelta = z.infer<typeof ToolCallDelta>;
export type WebSearchResult = z.infer<typeof WebSearchResult>;
export type ChatChunk = z.infer<typeof ChatChunk>;
export type ChatCompletion = z.infer<typeof ChatCompletion>;
export type ErrorCode = z.infer<typeof ErrorCode>;
export type FieldIssue = z.infer<typeof FieldIssue>;
export type ErrorBody = z.infer<typeof ErrorBody>;
export type UpstreamKind = z.infer<typeof UpstreamKind>;
export type Health = z.infer<typeof Health>;
export type ModelInfo = z.infer<typeof ModelInfo>;
export type AccessMode = z.infer<typeof AccessMode>;
export type ApiConfig = z.infer<typeof ApiConfig>;
export type StreamId = z.infer<typeof StreamId>;
export type StopChatResult = z.infer<typeof StopChatResult>;
export type ReconnectEvent = z.infer<typeof ReconnectEvent>;
export type StoppedEvent = z.infer<typeof StoppedEvent>;
