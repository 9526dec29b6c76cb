import { hostname } from 'node:os';
import type { ModelInfo, UpstreamKind } from '@zai-chat/contract';
import { z } from 'zod';
import { DEFAULT_MODELS, parseModels } from './models';

/**
 * Environment → typed Config, validated once at start. Nothing else reads process.env, so
 * tests build a Config directly and every limit is visible in one place.
 */

const intFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const boolFrom = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ZAI_API_KEY: z.string().trim().min(1).optional(),
  ZAI_AUTH: z.enum(['bearer', 'jwt']).default('bearer'),
  ZAI_BASE_URL: z.string().url().default('https://api.z.ai/api/paas/v4'),
  ZAI_DEFAULT_MODEL: z.string().min(1).default('glm-4.6'),
  /** The models offered to clients: `id[:vision][:reasoning][:tools],…`; see models.ts. */
  ZAI_MODELS: z.string().optional(),
  /** Models to try, in order, when Z.AI answers 1312 (model overloaded), e.g. `glm-4.5-air,glm-4.5-flash`. */
  ZAI_FALLBACK_MODELS: z.string().default(''),
  /** Names this process in /health and X-Instance-Id; the hostname (container id) by default. */
  INSTANCE_ID: z.string().trim().min(1).max(64).optional(),
  SIMULATOR_URL: z.string().url().optional(),
  SIMULATOR_API_KEY: z.string().min(1).optional(),
  PORT: intFrom(8000, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Logs message content when true; never the key. Off by default. */
  LOG_CONTENT: boolFrom(false),
  TRUST_PROXY: z.string().default('false'),
  BODY_LIMIT_BYTES: intFrom(1024 * 1024, 1),
  MAX_MESSAGES: intFrom(200, 1),
  MAX_MESSAGE_CHARS: intFrom(100_000, 1),
  MAX_TOKENS_CEILING: intFrom(32_768, 1),
  MAX_JSON_DEPTH: intFrom(32, 4),
  MAX_IMAGE_BYTES: intFrom(5 * 1024 * 1024, 1),
  MAX_IMAGES_PER_REQUEST: intFrom(8, 0),
  RATE_LIMIT_WINDOW_MS: intFrom(60_000, 1),
  RATE_LIMIT_MAX: intFrom(60, 1),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: intFrom(30_000, 1),
  UPSTREAM_IDLE_TIMEOUT_MS: intFrom(60_000, 1),
  UPSTREAM_TOTAL_TIMEOUT_MS: intFrom(600_000, 1),
  UPSTREAM_MAX_ATTEMPTS: intFrom(3, 1),
  UPSTREAM_RETRY_BASE_MS: intFrom(250, 0),
  UPSTREAM_RETRY_MAX_MS: intFrom(8_000, 0),
  SSE_KEEPALIVE_MS: intFrom(15_000, 1),
  SHUTDOWN_DRAIN_MS: intFrom(10_000, 0),
  METRICS_ENABLED: boolFrom(true),
  /** Shared state for replicas (limits, resumable streams, response cache); unset = in-process only. */
  REDIS_URL: z
    .string()
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://')
    .optional(),
  /** A Redis command slower than this counts as Redis being down (the request goes on without it). */
  REDIS_COMMAND_TIMEOUT_MS: intFrom(500, 1),
  /** Prefix of every Redis key and channel, so deployments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().max(64).default('zc:'),
  /** With Redis: how long an answer keeps being produced after its last reader left. */
  RESUME_GRACE_MS: intFrom(30_000, 0),
  /** With Redis: how long a finished answer that may be resumed stays in Redis. */
  RESUME_RETENTION_MS: intFrom(300_000, 1000),
  /** With Redis: producer liveness beat; a dead producer's readers learn it within ~3 beats. */
  STREAM_HEARTBEAT_MS: intFrom(1000, 50),
  /** With Redis: seconds a complete answer to a cacheable request is kept; 0 = no response cache. */
  RESPONSE_CACHE_TTL_S: intFrom(0, 0),
});

export type ZaiAuthMode = z.infer<typeof EnvSchema>['ZAI_AUTH'];

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  upstream: {
    kind: UpstreamKind;
    /** Undefined only for the in-process simulator, which server.ts starts and fills in. */
    baseUrl: string | undefined;
    apiKey: string | undefined;
    auth: ZaiAuthMode;
    defaultModel: string;
    models: ModelInfo[];
    fallbackModels: string[];
  };
  instanceId: string;
  corsOrigins: string[] | '*';
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  logContent: boolean;
  trustProxy: false | number | string;
  limits: {
    bodyBytes: number;
    maxMessages: number;
    maxMessageChars: number;
    maxTokensCeiling: number;
    maxImageBytes: number;
    maxImagesPerRequest: number;
    maxJsonDepth: number;
    rateLimitWindowMs: number;
    rateLimitMax: number;
  };
  timeouts: { firstByteMs: number; idleMs: number; totalMs: number };
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  keepAliveMs: number;
  shutdownDrainMs: number;
  metricsEnabled: boolean;
  /** Undefined without REDIS_URL: every piece of state stays in this process. */
  redis: { url: string; commandTimeoutMs: number; keyPrefix: string } | undefined;
  streams: { resumeGraceMs: number; retentionMs: number; heartbeatMs: number };
  responseCacheTtlS: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse the environment; throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.ZAI_API_KEY && !e.SIMULATOR_URL) {
    throw new ConfigError(
      'ZAI_API_KEY: required in production (or set SIMULATOR_URL to run against the simulator)',
    );
  }
  if (e.ZAI_AUTH === 'jwt' && e.ZAI_API_KEY && !/^[^.]+\.[^.]+$/.test(e.ZAI_API_KEY)) {
    throw new ConfigError('ZAI_API_KEY: must look like <id>.<secret> when ZAI_AUTH=jwt');
  }
  const onSimulator = !e.ZAI_API_KEY;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    upstream: {
      kind: onSimulator ? 'simulator' : 'zai',
      baseUrl: onSimulator ? e.SIMULATOR_URL : e.ZAI_BASE_URL,
      apiKey: onSimulator ? e.SIMULATOR_API_KEY : e.ZAI_API_KEY,
      auth: onSimulator ? 'bearer' : e.ZAI_AUTH,
      defaultModel: e.ZAI_DEFAULT_MODEL,
      models: e.ZAI_MODELS ? modelsFrom(e.ZAI_MODELS) : DEFAULT_MODELS,
      fallbackModels: e.ZAI_FALLBACK_MODELS.split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    },
    instanceId: e.INSTANCE_ID ?? hostname(),
    corsOrigins: parseOrigins(e.CORS_ORIGINS),
    logLevel: e.LOG_LEVEL,
    logContent: e.LOG_CONTENT,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    limits: {
      bodyBytes: e.BODY_LIMIT_BYTES,
      maxMessages: e.MAX_MESSAGES,
      maxMessageChars: e.MAX_MESSAGE_CHARS,
      maxTokensCeiling: e.MAX_TOKENS_CEILING,
      maxImageBytes: e.MAX_IMAGE_BYTES,
      maxImagesPerRequest: e.MAX_IMAGES_PER_REQUEST,
      maxJsonDepth: e.MAX_JSON_DEPTH,
      rateLimitWindowMs: e.RATE_LIMIT_WINDOW_MS,
      rateLimitMax: e.RATE_LIMIT_MAX,
    },
    timeouts: {
      firstByteMs: e.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleMs: e.UPSTREAM_IDLE_TIMEOUT_MS,
      totalMs: e.UPSTREAM_TOTAL_TIMEOUT_MS,
    },
    retry: {
      maxAttempts: e.UPSTREAM_MAX_ATTEMPTS,
      baseDelayMs: e.UPSTREAM_RETRY_BASE_MS,
      maxDelayMs: e.UPSTREAM_RETRY_MAX_MS,
    },
    keepAliveMs: e.SSE_KEEPALIVE_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    metricsEnabled: e.METRICS_ENABLED,
    redis: e.REDIS_URL
      ? {
          url: e.REDIS_URL,
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
          keyPrefix: e.REDIS_KEY_PREFIX,
        }
      : undefined,
    streams: {
      resumeGraceMs: e.RESUME_GRACE_MS,
      retentionMs: e.RESUME_RETENTION_MS,
      heartbeatMs: e.STREAM_HEARTBEAT_MS,
    },
    responseCacheTtlS: e.RESPONSE_CACHE_TTL_S,
  };
}

function modelsFrom(raw: string) {
  try {
    return parseModels(raw);
  } catch (err) {
    throw new ConfigError(`ZAI_MODELS: ${(err as Error).message}`);
  }
}

/** `docker compose` passes unset variables from `.env` as empty strings: treat them as unset. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]?.trim()),
  );
}

function parseOrigins(raw: string): string[] | '*' {
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return list.length === 1 && list[0] === '*' ? '*' : list;
}

/**
 * Express's `trust proxy` as a hop count or a list of proxy addresses/subnets. `true` (trust
 * every hop) is refused: any client could then choose its own address, and with it its rate
 * limit, by sending X-Forwarded-For.
 */
function parseTrustProxy(raw: string): false | number | string {
  if (raw === 'false' || raw === '0') return false;
  if (raw === 'true') {
    throw new ConfigError(
      'TRUST_PROXY: "true" would let any client forge its address (X-Forwarded-For) and dodge rate limits; set the number of proxy hops in front of the API (1 behind one nginx) or their addresses',
    );
  }
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}
