import { hostname } from 'node:os';
import { AccessMode, type ModelInfo, type UpstreamKind } from '@zai-chat/contract';
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
  /** Pacing of the in-process simulator (only without ZAI_API_KEY and SIMULATOR_URL). */
  SIM_CHUNK_DELAY_MS: intFrom(30, 0),
  SIM_SLOW_TOTAL_MS: intFrom(5000, 0),
  PORT: intFrom(8000, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Logs message content when true; never the key. Off by default. */
  LOG_CONTENT: boolFrom(false),
  TRUST_PROXY: z.string().default('false'),
  /** Room for a few downscaled images (each counted by MAX_IMAGE_BYTES) besides the text. */
  BODY_LIMIT_BYTES: intFrom(8 * 1024 * 1024, 1),
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
  /** /metrics is served on this port only (0: an ephemeral port), never on PORT. */
  METRICS_PORT: intFrom(9464, 0).pipe(z.number().max(65535)),
  /** Where the metrics port listens; HOST by default. */
  METRICS_HOST: z.string().min(1).optional(),
  /** When set, /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Who may spend the key: `keys` (client keys), `proxy` (an auth proxy's header) or `open`. */
  ACCESS_MODE: AccessMode.optional(),
  ACCESS_KEYS_FILE: z.string().min(1).optional(),
  ACCESS_PROXY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .default('X-Forwarded-Email')
    .transform((h) => h.toLowerCase()),
  /** Tokens per identity per UTC day (0: no budget). */
  TOKEN_BUDGET_PER_DAY: intFrom(1_000_000, 0),
  MAX_CONNECTIONS: intFrom(10_000, 1),
  MAX_STREAMS: intFrom(2_000, 1),
  MAX_STREAMS_PER_IDENTITY: intFrom(20, 1),
  /** A request (headers and body) must arrive within this long; slow senders are cut. */
  REQUEST_TIMEOUT_MS: intFrom(30_000, 1000),
  HEADERS_TIMEOUT_MS: intFrom(10_000, 1000),
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
  /** The in-process simulator's pacing, used when neither a key nor SIMULATOR_URL is set. */
  simulator: { chunkDelayMs: number; slowTotalMs: number };
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
  metrics: { port: number; host: string; token: string | undefined };
  access: {
    mode: AccessMode;
    keysFile: string | undefined;
    proxyHeader: string;
    tokensPerDay: number;
  };
  caps: {
    maxConnections: number;
    maxStreams: number;
    maxStreamsPerIdentity: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
  };
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
    simulator: { chunkDelayMs: e.SIM_CHUNK_DELAY_MS, slowTotalMs: e.SIM_SLOW_TOTAL_MS },
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
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST, token: e.METRICS_TOKEN },
    access: {
      mode: accessMode(e),
      keysFile: e.ACCESS_KEYS_FILE,
      proxyHeader: e.ACCESS_PROXY_HEADER,
      tokensPerDay: e.TOKEN_BUDGET_PER_DAY,
    },
    caps: {
      maxConnections: e.MAX_CONNECTIONS,
      maxStreams: e.MAX_STREAMS,
      maxStreamsPerIdentity: e.MAX_STREAMS_PER_IDENTITY,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS, e.REQUEST_TIMEOUT_MS),
    },
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

type Env = z.infer<typeof EnvSchema>;

/** What the `keys` CLI needs: where keys are kept (Redis when REDIS_URL is set, else the file). */
export function loadKeysConfig(
  env: NodeJS.ProcessEnv,
): { keysFile: string } | { redis: { url: string; keyPrefix: string } } {
  const e = stripEmpty(env);
  if (e.REDIS_URL) return { redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX ?? 'zc:' } };
  if (!e.ACCESS_KEYS_FILE) {
    throw new ConfigError(
      'ACCESS_KEYS_FILE: required (or REDIS_URL); name the JSON file that holds the key hashes',
    );
  }
  return { keysFile: e.ACCESS_KEYS_FILE };
}

/**
 * Who may spend the key. In production with a real key the choice must be explicit: an API
 * left `open` by default would be a free relay of the owner's Z.AI account.
 */
function accessMode(e: Env): AccessMode {
  if (!e.ACCESS_MODE) {
    if (e.NODE_ENV === 'production' && e.ZAI_API_KEY) {
      throw new ConfigError(
        'ACCESS_MODE: required in production with a real ZAI_API_KEY; choose keys (client keys from `pnpm --filter @zai-chat/api keys create <name>`), proxy (an auth proxy in front sets ACCESS_PROXY_HEADER) or open (anyone who can reach the API spends your key)',
      );
    }
    return 'open';
  }
  if (e.ACCESS_MODE === 'keys' && !e.ACCESS_KEYS_FILE && !e.REDIS_URL) {
    throw new ConfigError(
      'ACCESS_KEYS_FILE: required with ACCESS_MODE=keys unless REDIS_URL is set (the JSON file `keys create` writes; it holds only hashes)',
    );
  }
  if (e.ACCESS_MODE === 'proxy' && /^(false|\d+)$/.test(e.TRUST_PROXY.trim())) {
    throw new ConfigError(
      'TRUST_PROXY: with ACCESS_MODE=proxy, name the auth proxy by address or subnet (e.g. 10.0.0.5 or 172.16.0.0/12), not a hop count: the identity header is believed only from those addresses',
    );
  }
  return e.ACCESS_MODE;
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
