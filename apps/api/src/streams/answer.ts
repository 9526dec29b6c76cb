import { DONE_FRAME } from '@zai-chat/contract';

/**
 * One streamed answer as this process produces it: numbers its frames (`id:` lines), keeps
 * them when the answer may be resumed or cached, and hands every write to the readers
 * attached right now (the client that asked, a client that came back after a reload, a
 * reader on another replica through Redis). The relay writes to it as it would to the
 * client's response; readers come and go without the relay knowing.
 */

/** How the relay words frames: plain (`/v1`), or numbered and kept (an AnswerStream). */
export interface FrameEncoder {
  /** A `data:` frame for an upstream chunk's JSON text. */
  data(json: string): string;
  /** The `[DONE]` frame. */
  done(): string;
  /** Any other complete frame (the error event). */
  raw(frame: string): string;
}

/** Where the relay writes: a response's SseWriter, or an AnswerStream fanning out. */
export interface FrameSink {
  /** A promise only when the client that asked is slow to read (backpressure). */
  write(text: string): Promise<void> | undefined;
  end(text?: string): void;
}

export const PLAIN_FRAMES: FrameEncoder = {
  data: (json) => `data: ${json}\n\n`,
  done: () => DONE_FRAME,
  raw: (frame) => frame,
};

export interface StreamReader {
  /** Frames after those this reader already has; `lastId` is the id of the last of them. */
  send(text: string, lastId: number): Promise<void> | undefined;
  /** The answer is over; `text` holds its last frames (maybe none). */
  end(text: string, lastId: number): void;
  /** This replica is going away: tell the reader to come back through another one. */
  reconnect?(streamId: string, lastId: number): void;
}

export interface AnswerStreamOptions {
  id: string;
  /** Who may resume or stop it (a hash of the identity; see ids.ts). */
  owner: string;
  /** Keep every frame (needed to resume or to cache the answer). */
  keep: boolean;
  /** `id:` lines (`/api/chat`); `/v1` frames stay exactly as OpenAI words them. */
  numbered: boolean;
  /** Time an answer nobody reads keeps being produced, once it is resumable. */
  graceMs: number;
  /** Called once the grace period passed with no reader: abort the upstream. */
  onAbandoned(this: void): void;
  /** Called by `stop()` (its owner asked): abort the upstream at once. */
  onStopped(this: void): void;
}

export class AnswerStream implements FrameEncoder, FrameSink {
  readonly id: string;
  readonly owner: string;
  /** Every frame so far, each with its id line; index i holds frame id i + 1. */
  readonly frames: string[] | undefined;
  /** The id of the last frame encoded. */
  seq = 0;
  /** Characters kept in `frames` (the memory an answer holds while it may be resumed). */
  keptChars = 0;
  state: 'live' | 'ended' = 'live';
  /** Registered in Redis: a reader may come back through any replica. */
  resumable = false;
  /**
   * Someone may ask for these frames after the end: a reader left before it, or came back
   * through resume, or this replica is draining. Only then is the answer written to Redis.
   */
  wanted = false;
  private readers: StreamReader[] = [];
  private primary: StreamReader | undefined;
  private grace: NodeJS.Timeout | undefined;
  private readonly graceMs: number;
  private readonly onAbandoned: () => void;
  private readonly onStopped: () => void;
  private readonly numbered: boolean;

  constructor(options: AnswerStreamOptions) {
    this.id = options.id;
    this.numbered = options.numbered;
    this.owner = options.owner;
    this.frames = options.keep ? [] : undefined;
    this.graceMs = options.graceMs;
    this.onAbandoned = options.onAbandoned;
    this.onStopped = options.onStopped;
  }

  /** Its owner asked to stop: returns false when the answer had already ended. */
  stop(): boolean {
    if (this.state !== 'live') return false;
    this.wanted = true;
    this.onStopped();
    return true;
  }

  data(json: string): string {
    const frame = this.numbered ? `id: ${++this.seq}\ndata: ${json}\n\n` : `data: ${json}\n\n`;
    if (this.frames) {
      this.frames.push(frame);
      this.keptChars += frame.length;
    }
    return frame;
  }

  done(): string {
    return this.raw(DONE_FRAME);
  }

  raw(frame: string): string {
    const numbered = this.numbered ? `id: ${++this.seq}\n${frame}` : frame;
    if (this.frames) {
      this.frames.push(numbered);
      this.keptChars += numbered.length;
    }
    return numbered;
  }

  write(text: string): Promise<void> | undefined {
    const readers = this.readers;
    let wait: Promise<void> | undefined;
    // Only the client that asked can hold the upstream back; a reader that came back later
    // gets frames at the upstream's pace (its replay is bounded by the answer's size).
    for (let i = 0; i < readers.length; i++) {
      const pending = readers[i]!.send(text, this.seq);
      if (pending && readers[i] === this.primary) wait = pending;
    }
    return wait;
  }

  end(text = ''): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    clearTimeout(this.grace);
    const readers = this.readers;
    this.readers = [];
    this.primary = undefined;
    for (const reader of readers) reader.end(text, this.seq);
  }

  /** The client whose request produces this answer. */
  setPrimary(reader: StreamReader): void {
    this.primary = reader;
    this.add(reader);
  }

  /** A reader that came back: the frames after `after` at once, then every new one. */
  attach(reader: StreamReader, after: number): void {
    this.wanted = true;
    const replay = this.frames ? this.frames.slice(after).join('') : '';
    if (this.state === 'ended') return reader.end(replay, this.seq);
    if (replay) void reader.send(replay, this.seq);
    this.add(reader);
  }

  /**
   * A reader left. Returns false when it was not reading, or when the answer cannot be
   * resumed: then the caller aborts the upstream as before (no Redis, no grace).
   */
  release(reader: StreamReader): boolean {
    const i = this.readers.indexOf(reader);
    if (i < 0) return false;
    this.readers.splice(i, 1);
    if (reader === this.primary) this.primary = undefined;
    if (!this.resumable || this.state === 'ended') return this.resumable;
    this.wanted = true;
    if (this.readers.length === 0) this.startGrace();
    return true;
  }

  /** Draining: every reader that can reconnect is asked to, and let go. */
  reconnectReaders(): void {
    this.wanted = true;
    for (const reader of [...this.readers]) {
      if (!reader.reconnect) continue;
      reader.reconnect(this.id, this.seq);
      this.release(reader);
    }
  }

  get readerCount(): number {
    return this.readers.length;
  }

  private add(reader: StreamReader): void {
    this.readers.push(reader);
    clearTimeout(this.grace);
    this.grace = undefined;
  }

  private startGrace(): void {
    clearTimeout(this.grace);
    this.grace = setTimeout(() => {
      this.grace = undefined;
      if (this.state === 'live' && this.readers.length === 0) this.onAbandoned();
    }, this.graceMs);
    this.grace.unref();
  }
}
