import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * The one connection of this process to Redis, and its health. Redis is optional shared state:
 * every caller must work without it, so this module answers "is it usable right now?" cheaply
 * (`up`) and makes every command fail fast instead of queueing when it is not:
 *
 * - down (refused, closed, or slower than `commandTimeoutMs`): commands reject at once, callers
 *   fall back to in-process behaviour, `/health` says `degraded` with `reason`;
 * - a heartbeat (one `SET` per `heartbeatMs`, whatever the traffic) is both the probe that
 *   brings the link back up and this process's liveness key, which readers of its streams on
 *   other replicas watch (a producer killed with -9 stops beating);
 * - one log line per transition, never per failed command.
 *
 * Why ioredis: `commandTimeout`, `enableOfflineQueue: false` and automatic resubscription are
 * built in (a slow Redis must cost a request at most one timeout, never an unbounded queue),
 * and `defineCommand` handles EVALSHA/NOSCRIPT for the counter script.
 */

export interface RedisLinkOptions {
  url: string;
  commandTimeoutMs: number;
  heartbeatMs: number;
  keyPrefix: string;
  /** Shown in the liveness key's value (X-Instance-Id); the node id adds a random suffix. */
  instanceId: string;
  logger: Logger;
}

export type MessageHandler = (message: string) => void;

/** A command refused without being sent: Redis is down or slow right now. */
export class RedisUnavailable extends Error {
  override name = 'RedisUnavailable';
}

export class RedisLink extends EventEmitter<{
  up: [];
  down: [reason: string];
  /** The inbox connection dropped: messages published meanwhile were not delivered. */
  'inbox-lost': [];
}> {
  /** Commands (and PUBLISH). Never in subscriber mode. */
  readonly client: Redis;
  /** This node's channel only; ioredis resubscribes after every reconnect. */
  private readonly subscriber: Redis;
  /**
   * Unique per process, even when two processes share an INSTANCE_ID (two `pnpm dev` on one
   * host): it names this process's channel and liveness key.
   */
  readonly nodeId: string;
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly heartbeatMs: number;
  private state: 'up' | 'down' = 'down';
  private reasonText = 'connecting';
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;
  private closed = false;
  private readonly handlers = new Set<MessageHandler>();

  constructor(private readonly options: RedisLinkOptions) {
    super();
    this.nodeId = `${options.instanceId}.${randomBytes(4).toString('hex')}`;
    this.prefix = options.keyPrefix;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.heartbeatMs = options.heartbeatMs;
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      // A command in flight when the connection drops is failed, not replayed later.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1000, options.commandTimeoutMs * 4),
      // Reconnect forever, quickly at first, at most every 2 s.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
      disableClientInfo: true,
    };
    this.client = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, { ...common, autoResubscribe: true });
    for (const connection of [this.client, this.subscriber]) {
      // Errors are reported through the state transitions below; an 'error' event without a
      // listener would crash the process.
      connection.on('error', () => undefined);
      connection.on('close', () => this.markDown('connection lost'));
      connection.on('ready', () => void this.beat());
    }
    this.subscriber.on('close', () => {
      if (!this.closed) this.emit('inbox-lost');
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      for (const handler of this.handlers) handler(message);
    });
  }

  /** Connect both connections and start the heartbeat; never throws (Redis may come later). */
  start(): void {
    this.client.connect().catch(() => undefined);
    this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(this.channel(this.nodeId)))
      .catch(() => undefined);
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  get up(): boolean {
    return this.state === 'up';
  }

  get reason(): string | undefined {
    return this.state === 'up' ? undefined : this.reasonText;
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  channel(nodeId: string): string {
    return this.key('node', nodeId, 'inbox');
  }

  nodeKey(nodeId: string): string {
    return this.key('node', nodeId);
  }

  /**
   * Run commands on the shared connection. Rejects at once with RedisUnavailable while down;
   * a timeout or a connection error marks the link down (one log line), a Redis reply error
   * (a bug of ours, not an outage) does not.
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.state !== 'up') throw new RedisUnavailable(this.reasonText);
    try {
      return await command(this.client);
    } catch (err) {
      if ((err as Error).name !== 'ReplyError') this.markDown(describe(err));
      throw err;
    }
  }

  /** Deliver `message` to the node's inbox; resolves with whether that node is listening. */
  async send(nodeId: string, message: string): Promise<boolean> {
    return (await this.run((c) => c.publish(this.channel(nodeId), message))) > 0;
  }

  onMessage(handler: MessageHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Whether each node has beaten within its liveness TTL. */
  async alive(nodeIds: string[]): Promise<boolean[]> {
    if (nodeIds.length === 0) return [];
    const values = await this.run((c) => c.mget(...nodeIds.map((n) => this.nodeKey(n))));
    return values.map((v) => v !== null);
  }

  /** Liveness key TTL: three beats, so one late beat never declares a live node dead. */
  get livenessTtlMs(): number {
    return this.heartbeatMs * 3;
  }

  /** One beat: refresh the liveness key; success brings the link up, failure takes it down. */
  private async beat(): Promise<void> {
    if (this.beating || this.closed) return;
    if (this.client.status !== 'ready' || this.subscriber.status !== 'ready') {
      this.markDown(this.client.status === 'ready' ? 'subscriber not connected' : 'not connected');
      return;
    }
    this.beating = true;
    try {
      await this.client.set(
        this.nodeKey(this.nodeId),
        this.options.instanceId,
        'PX',
        this.livenessTtlMs,
      );
      this.markUp();
    } catch (err) {
      this.markDown(describe(err));
    } finally {
      this.beating = false;
    }
  }

  private markUp(): void {
    if (this.state === 'up' || this.closed) return;
    this.state = 'up';
    this.options.logger.info({ redis: 'up' }, 'redis up: shared limits, resumable streams on');
    this.emit('up');
  }

  private markDown(reason: string): void {
    if (this.closed) return;
    this.reasonText = reason;
    if (this.state === 'down') return;
    this.state = 'down';
    this.options.logger.warn(
      { redis: 'down', reason },
      `redis down (${reason}): serving from this process only`,
    );
    this.emit('down', reason);
  }

  /** Forget this node (readers elsewhere learn at once) and disconnect. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.state === 'up') {
      await this.client.del(this.nodeKey(this.nodeId)).catch(() => undefined);
    }
    this.closed = true;
    this.handlers.clear();
    this.subscriber.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Error text without the URL (it may carry a password). */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/timed out/i.test(message)) return 'slow: a command timed out';
  if (/ECONNREFUSED/.test(message)) return 'connection refused';
  if (/enableOfflineQueue|Connection is closed|Stream isn't writeable/i.test(message))
    return 'not connected';
  return message.replace(/rediss?:\/\/\S+/g, '<redis url>').slice(0, 120);
}

/** The link REDIS_URL asks for, started (serving goes on without it until it is up); none without. */
export function startRedisLink(config: Config, logger: Logger): RedisLink | undefined {
  if (!config.redis) return undefined;
  const link = new RedisLink({
    url: config.redis.url,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    heartbeatMs: config.streams.heartbeatMs,
    keyPrefix: config.redis.keyPrefix,
    instanceId: config.instanceId,
    logger,
  });
  link.start();
  return link;
}
