import { randomBytes } from 'node:crypto';
import { type ErrorCode, encodeErrorFrame } from '@zai-chat/contract';
import { errorBody } from '../http/errors';
import type { Logger } from '../logger';
import type { RedisLink } from '../redis/link';
import { AnswerStream, type StreamReader } from './answer';
import { type BusMessage, decodeMessage, encodeMessage } from './bus';
import { newStreamId, ownerKey } from './ids';
import { ResumeResponse } from './resume-response';

/**
 * Every streamed answer of this process, and the way to reach answers of other processes.
 *
 * Design (README § Scaling out): the producing replica keeps the frames of its live answers
 * in memory. Redis sees one `SET` per answer (where it lives, whose it is) and, per process,
 * one heartbeat per beat; a chunk costs Redis nothing unless someone resumed the answer. A
 * reader on another replica asks the producer over pub/sub for the frames after its
 * `Last-Event-ID` and then receives the live ones the same way. An answer that may be asked
 * for after its end (a reader left early or resumed, or this replica drains) is written to
 * Redis once when it ends, with a TTL, so late readers still get all of it.
 *
 * Without Redis the hub is this process's registry only: ids and frame numbers as usual, Stop
 * works on this process, nothing is resumable, a client that leaves aborts its answer.
 */

export interface StreamHubOptions {
  link: RedisLink | undefined;
  logger: Logger;
  keepAliveMs: number;
  /** RESUME_GRACE_MS: an answer nobody reads keeps being produced this long. */
  graceMs: number;
  /** RESUME_RETENTION_MS: a finished answer stays in Redis this long. */
  retentionMs: number;
  /** Longest an answer can live (the upstream total timeout): its registration's TTL. */
  maxAnswerMs: number;
}

export type ResumeOutcome =
  | { kind: 'stream'; response: ResumeResponse; from: 'local' | 'remote' | 'stored' }
  | { kind: 'not_found' }
  | { kind: 'lost' };

export type StopOutcome = 'stopped' | 'finished' | 'not_found';

/**
 * Largest answer written to Redis for late readers (characters of its frames). A longer one
 * can still be resumed while it is produced, not after: one Redis value of many megabytes
 * would stall every other command on the shared connection.
 */
export const MAX_STORED_ANSWER_CHARS = 8 * 1024 * 1024;

export interface OpenOptions {
  identity: string | undefined;
  /** Number the frames and make the answer resumable (`/api/chat`). */
  numbered: boolean;
  /** Keep the frames even when not resumable (to store the answer in the response cache). */
  keep: boolean;
  onAbandoned(this: void): void;
  onStopped(this: void): void;
}

/**
 * A reader on another replica, fed over pub/sub. Each message says which frames it carries
 * (after `p`, up to `q`), and a tick every heartbeat says the last one sent: a message lost
 * to a Redis hiccup shows as a gap on the reader's side, which then reconnects its client
 * (the client resumes from the frame it really has).
 */
class RemoteReader implements StreamReader {
  private opened = false;
  /** The id of the last frame sent to this reader. */
  sent: number;

  constructor(
    private readonly hub: StreamHub,
    private readonly link: RedisLink,
    readonly node: string,
    readonly key: string,
    private readonly answer: AnswerStream,
    after: number,
  ) {
    this.sent = after;
  }

  send(text: string, lastId: number): undefined {
    this.post({ t: 'frames', r: this.key, x: text, p: this.sent, q: lastId });
    this.sent = lastId;
  }

  end(text: string, lastId: number): void {
    this.post({ t: 'frames', r: this.key, x: text, p: this.sent, q: lastId, end: true });
    this.sent = lastId;
    this.hub.forgetRemoteReader(this.key);
  }

  /** Accept the attach even when there is nothing to replay yet. */
  open(): void {
    if (!this.opened) this.send('', this.sent);
  }

  tick(): void {
    this.post({ t: 'tick', r: this.key, q: this.sent });
  }

  private post(message: BusMessage): void {
    this.opened = true;
    // Publishes leave in call order on one connection: the reader sees frames in order. A
    // publish that fails is not retried (the reader sees the gap); nobody listening means
    // the reader's replica is gone.
    this.link.send(this.node, encodeMessage(message)).then(
      (listening) => {
        if (!listening) this.leave();
      },
      () => undefined,
    );
  }

  private leave(): void {
    this.hub.forgetRemoteReader(this.key);
    this.answer.release(this);
  }
}

/** A reader of this replica following an answer produced on another one. */
interface Follow {
  key: string;
  streamId: string;
  node: string;
  owner: string;
  response: ResumeResponse;
  requestId: string;
  since: number;
  /** The producer accepted: frames flow (until then, the resume request has no status). */
  open: boolean;
  settle: (outcome: 'open' | 'gone' | 'lost') => void;
  /** The id of the last frame received. */
  q: number;
  /** When the producer was last heard from (frames or tick). */
  heardAt: number;
}

export class StreamHub {
  private readonly local = new Map<string, AnswerStream>();
  private readonly remoteReaders = new Map<string, RemoteReader>();
  private readonly follows = new Map<string, Follow>();
  private readonly stops = new Map<string, (ok: boolean | undefined) => void>();
  private readonly watchdog: NodeJS.Timeout | undefined;
  private draining = false;
  /** Beats in a row with Redis down. */
  private downBeats = 0;

  constructor(private readonly options: StreamHubOptions) {
    const { link } = options;
    if (!link) return;
    link.onMessage((text) => {
      const message = decodeMessage(text);
      if (message) this.receive(link, message);
    });
    // Messages published while the inbox was away are gone: readers reconnect, and their
    // clients resume from the last frame they really have.
    link.on('inbox-lost', () => this.reconnectFollows());
    this.watchdog = setInterval(() => {
      for (const reader of this.remoteReaders.values()) reader.tick();
      void this.watch(link);
    }, link.heartbeatMs);
    this.watchdog.unref();
  }

  /** Resumable answers need Redis; `/api/config` says so. */
  get resumable(): boolean {
    return this.options.link !== undefined;
  }

  /** Answers produced here right now (tests, metrics). */
  get liveCount(): number {
    return this.local.size;
  }

  /**
   * A new streamed answer of this process. While Redis is up it is registered (where it
   * lives, whose it is) without waiting: nothing on the way to the first chunk waits for
   * Redis. Should the write fail, the answer stops being resumable (a reader that comes back
   * elsewhere then gets a 404), and a client that leaves aborts it as without Redis.
   */
  open(options: OpenOptions): AnswerStream {
    const link = this.options.link;
    const canResume = options.numbered && link !== undefined && link.up;
    const answer = new AnswerStream({
      id: newStreamId(),
      owner: ownerKey(options.identity),
      keep: canResume || options.keep,
      numbered: options.numbered,
      graceMs: this.options.graceMs,
      onAbandoned: options.onAbandoned,
      onStopped: options.onStopped,
    });
    this.local.set(answer.id, answer);
    if (!canResume) return answer;
    answer.resumable = true;
    const entry = JSON.stringify({ n: link.nodeId, o: answer.owner });
    const ttl = this.options.maxAnswerMs + this.options.graceMs + this.options.retentionMs;
    // After the upstream request has been written (setImmediate runs after this tick's I/O):
    // the client learns the id only from the response headers, long after this lands.
    setImmediate(() => {
      link
        .run((c) => c.set(link.key('stream', answer.id), entry, 'PX', ttl))
        .catch(() => (answer.resumable = false));
    });
    return answer;
  }

  /**
   * The answer ended (or never started): store it if someone may still ask for it, then
   * forget it. Resolves once stored (the drain waits for it), never rejects.
   */
  async finish(answer: AnswerStream): Promise<void> {
    const link = this.options.link;
    const wanted = answer.wanted || this.draining;
    if (wanted && answer.keptChars > MAX_STORED_ANSWER_CHARS) {
      this.options.logger.warn(
        { streamId: answer.id, chars: answer.keptChars },
        'answer too long to store for resume',
      );
    } else if (answer.resumable && answer.frames && link && wanted) {
      const stored = JSON.stringify({ o: answer.owner, f: answer.frames });
      await link
        .run((c) => c.set(link.key('frames', answer.id), stored, 'PX', this.options.retentionMs))
        .catch((err: unknown) =>
          this.options.logger.warn({ err, streamId: answer.id }, 'answer not stored for resume'),
        );
    }
    this.local.delete(answer.id);
  }

  /** Frames after `after` of answer `streamId`, then the live ones, if `identity` owns it. */
  async resume(
    streamId: string,
    identity: string | undefined,
    after: number,
    requestId: string,
  ): Promise<ResumeOutcome> {
    const owner = ownerKey(identity);
    const here = this.local.get(streamId);
    if (here) {
      // An answer that is not resumable kept no frames to replay.
      if (here.owner !== owner || !here.resumable) return { kind: 'not_found' };
      const response = this.response(streamId, after, requestId);
      here.attach(response, after);
      response.onClose = () => here.release(response);
      return { kind: 'stream', response, from: 'local' };
    }
    const link = this.options.link;
    if (!link?.up) return { kind: 'not_found' };
    let found: (string | null)[];
    try {
      found = await link.run((c) =>
        c.mget(link.key('frames', streamId), link.key('stream', streamId)),
      );
    } catch {
      return { kind: 'not_found' };
    }
    const [stored, entry] = found;
    if (stored) return this.fromStore(streamId, stored, owner, after, requestId);
    const where = entry ? parseEntry(entry) : undefined;
    if (!where || where.owner !== owner || where.node === link.nodeId) return { kind: 'not_found' };
    return this.follow(link, streamId, where.node, owner, after, requestId);
  }

  /** Stop answer `streamId` wherever it is produced, if `identity` owns it. */
  async stop(streamId: string, identity: string | undefined): Promise<StopOutcome> {
    const owner = ownerKey(identity);
    const here = this.local.get(streamId);
    if (here) {
      if (here.owner !== owner) return 'not_found';
      return here.stop() ? 'stopped' : 'finished';
    }
    const link = this.options.link;
    if (!link?.up) return 'not_found';
    let found: (string | null)[];
    try {
      found = await link.run((c) =>
        c.mget(link.key('frames', streamId), link.key('stream', streamId)),
      );
    } catch {
      return 'not_found';
    }
    const [stored, entry] = found;
    if (stored) return parseStored(stored)?.owner === owner ? 'finished' : 'not_found';
    const where = entry ? parseEntry(entry) : undefined;
    if (!where || where.owner !== owner) return 'not_found';
    if (where.node === link.nodeId) return 'finished';
    const key = readerKey();
    const reply = new Promise<boolean | undefined>((resolve) => {
      this.stops.set(key, resolve);
      setTimeout(() => resolve(undefined), this.attachTimeoutMs(link)).unref();
    });
    const message: BusMessage = { t: 'stop', s: streamId, r: key, from: link.nodeId, owner };
    const listening = await link.send(where.node, encodeMessage(message)).catch(() => false);
    const ok = listening ? await reply : false;
    this.stops.delete(key);
    return ok ? 'stopped' : 'finished';
  }

  /**
   * SIGTERM: every reader connected here is asked to reconnect (through the load balancer, to
   * another replica) while this replica keeps producing its answers for the drain period;
   * those answers are stored in Redis when they end, for readers that come back late.
   */
  drain(): void {
    this.draining = true;
    for (const answer of this.local.values()) {
      if (answer.resumable && answer.state === 'live') answer.reconnectReaders();
    }
    for (const follow of [...this.follows.values()]) {
      if (!follow.open) continue;
      this.detach(follow);
      follow.response.reconnect(follow.streamId);
    }
  }

  close(): void {
    clearInterval(this.watchdog);
  }

  forgetRemoteReader(key: string): void {
    this.remoteReaders.delete(key);
  }

  private response(streamId: string, after: number, requestId: string): ResumeResponse {
    const response = new ResumeResponse(streamId, after, this.options.keepAliveMs);
    response.requestId = requestId;
    return response;
  }

  private fromStore(
    streamId: string,
    stored: string,
    owner: string,
    after: number,
    requestId: string,
  ): ResumeOutcome {
    const answer = parseStored(stored);
    if (!answer || answer.owner !== owner) return { kind: 'not_found' };
    const response = this.response(streamId, after, requestId);
    response.end(answer.frames.slice(after).join(''), answer.frames.length);
    return { kind: 'stream', response, from: 'stored' };
  }

  private async follow(
    link: RedisLink,
    streamId: string,
    node: string,
    owner: string,
    after: number,
    requestId: string,
  ): Promise<ResumeOutcome> {
    const response = this.response(streamId, after, requestId);
    const follow: Follow = {
      key: readerKey(),
      streamId,
      node,
      owner,
      response,
      requestId,
      since: Date.now(),
      open: false,
      settle: () => undefined,
      q: after,
      heardAt: Date.now(),
    };
    const settled = new Promise<'open' | 'gone' | 'lost'>((resolve) => (follow.settle = resolve));
    this.follows.set(follow.key, follow);
    const attach: BusMessage = {
      t: 'attach',
      s: streamId,
      r: follow.key,
      from: link.nodeId,
      owner,
      after,
    };
    const listening = await link.send(node, encodeMessage(attach)).catch(() => false);
    // Nobody listens on the producer's inbox: it died (or lost Redis) before storing the answer.
    if (!listening) follow.settle('lost');
    const outcome = await settled;
    if (outcome === 'open') {
      response.onClose = () => this.detach(follow);
      return { kind: 'stream', response, from: 'remote' };
    }
    this.follows.delete(follow.key);
    if (outcome === 'lost') return { kind: 'lost' };
    // Gone: it ended meanwhile; if someone may still want it, it was stored before this reply.
    const stored = await link.run((c) => c.get(link.key('frames', streamId))).catch(() => null);
    return stored
      ? this.fromStore(streamId, stored, owner, after, requestId)
      : { kind: 'not_found' };
  }

  private detach(follow: Follow): void {
    this.follows.delete(follow.key);
    const link = this.options.link;
    if (!link?.up) return;
    const message: BusMessage = { t: 'detach', s: follow.streamId, r: follow.key };
    link.send(follow.node, encodeMessage(message)).catch(() => undefined);
  }

  private receive(link: RedisLink, message: BusMessage): void {
    switch (message.t) {
      case 'attach': {
        const answer = this.local.get(message.s);
        if (!answer || answer.owner !== message.owner || !answer.resumable) {
          link.send(message.from, encodeMessage({ t: 'gone', r: message.r })).catch(() => false);
          return;
        }
        const after = Math.min(Math.max(message.after, 0), answer.seq);
        const reader = new RemoteReader(this, link, message.from, message.r, answer, after);
        if (answer.state === 'live') this.remoteReaders.set(message.r, reader);
        answer.attach(reader, after);
        reader.open();
        return;
      }
      case 'detach': {
        const reader = this.remoteReaders.get(message.r);
        this.remoteReaders.delete(message.r);
        if (reader) this.local.get(message.s)?.release(reader);
        return;
      }
      case 'stop': {
        const answer = this.local.get(message.s);
        const ok = answer?.owner === message.owner && answer.stop();
        link
          .send(message.from, encodeMessage({ t: 'stopped', r: message.r, ok: !!ok }))
          .catch(() => false);
        return;
      }
      case 'stopped':
        this.stops.get(message.r)?.(message.ok);
        return;
      case 'gone':
        this.follows.get(message.r)?.settle('gone');
        return;
      case 'frames': {
        const follow = this.follows.get(message.r);
        if (!follow) return;
        // The first message may start before the reader's id (Last-Event-ID past the end).
        if (follow.open && message.p !== follow.q) return this.reconnectFollow(follow);
        follow.open = true;
        follow.settle('open');
        follow.q = message.q;
        follow.heardAt = Date.now();
        if (message.end) {
          this.follows.delete(follow.key);
          follow.response.end(message.x, message.q);
        } else if (message.x) {
          follow.response.send(message.x, message.q);
        }
        return;
      }
      case 'tick': {
        const follow = this.follows.get(message.r);
        if (!follow?.open) return;
        if (message.q !== follow.q) return this.reconnectFollow(follow);
        follow.heardAt = Date.now();
        return;
      }
    }
  }

  /**
   * Once per beat while anyone follows an answer of another replica: is its producer alive?
   * A producer killed with -9 stops beating; its liveness key expires after three beats and
   * its readers get `stream_lost`, keeping every frame they already have.
   */
  private async watch(link: RedisLink): Promise<void> {
    if (this.follows.size === 0) return;
    // Redis away for three beats: nothing flows; readers reconnect (and resume once it is back).
    if (!link.up) {
      if (++this.downBeats >= 3) this.reconnectFollows();
      return;
    }
    this.downBeats = 0;
    const nodes = [...new Set([...this.follows.values()].map((f) => f.node))];
    let alive: boolean[];
    try {
      alive = await link.alive(nodes);
    } catch {
      return; // Slow right now: look again next beat.
    }
    const dead = new Set(nodes.filter((_, i) => !alive[i]));
    const now = Date.now();
    const timeout = this.attachTimeoutMs(link);
    for (const follow of [...this.follows.values()]) {
      if (dead.has(follow.node)) this.fail(follow, 'stream_lost');
      else if (!follow.open && now - follow.since > timeout) this.fail(follow, 'stream_lost');
      // Alive but silent (no frames, no ticks) for longer than a dead producer takes to be
      // noticed: it dropped this reader; reconnect.
      else if (follow.open && now - follow.heardAt > timeout) this.reconnectFollow(follow);
    }
  }

  /** Every reader following another replica reconnects (a resume request still waiting fails). */
  private reconnectFollows(): void {
    for (const follow of [...this.follows.values()]) {
      if (follow.open) this.reconnectFollow(follow);
      else this.fail(follow, 'stream_lost');
    }
  }

  private reconnectFollow(follow: Follow): void {
    this.detach(follow);
    follow.response.reconnect(follow.streamId);
  }

  private fail(follow: Follow, code: ErrorCode): void {
    this.follows.delete(follow.key);
    if (!follow.open) return follow.settle('lost');
    this.options.logger.warn({ streamId: follow.streamId, code }, 'resumed stream lost');
    follow.response.finish(encodeErrorFrame(errorBody(code, follow.requestId)));
  }

  /**
   * How long a producer may stay silent (to an attach, a stop, or as ticks) before it counts as
   * gone: longer than its liveness key takes to expire, so a dead producer is reported as
   * `stream_lost` by the liveness check first.
   */
  private attachTimeoutMs(link: RedisLink): number {
    return Math.max(5000, 2 * link.livenessTtlMs + link.heartbeatMs);
  }
}

const readerKey = (): string => randomBytes(9).toString('base64url');

function parseEntry(text: string): { node: string; owner: string } | undefined {
  try {
    const { n, o } = JSON.parse(text) as { n?: unknown; o?: unknown };
    return typeof n === 'string' && typeof o === 'string' ? { node: n, owner: o } : undefined;
  } catch {
    return undefined;
  }
}

function parseStored(text: string): { owner: string; frames: string[] } | undefined {
  try {
    const { o, f } = JSON.parse(text) as { o?: unknown; f?: unknown };
    return typeof o === 'string' && Array.isArray(f)
      ? { owner: o, frames: f as string[] }
      : undefined;
  } catch {
    return undefined;
  }
}
