import { type ChatChunk, ChatApiError, ChatStoppedError } from '@zai-chat/contract';
import type { AnsweredBy, StreamRef } from './types';

/** What the stream reports besides its chunks (the API layer calls these). */
export interface StreamHooks {
  /** Which backend took the request (several may be configured). */
  onAnsweredBy?: (answer: AnsweredBy) => void;
  /** The answer's headers arrived: its stream id, whether it is resumable, which backend. */
  onStream?: (info: Omit<StreamRef, 'lastEventId'>) => void;
  /** A frame's id, just before its chunk is yielded. */
  onEventId?: (id: string) => void;
  /** The client lost the connection and is resuming it (true), or has resumed it (false). */
  onReconnecting?: (on: boolean) => void;
}

/** One connection's chunks: the first request, or a resume. */
export type Connect = (signal: AbortSignal, hooks: StreamHooks) => AsyncIterable<ChatChunk>;

/** The browser's idea of the network (`navigator.onLine` and its events). */
export interface NetworkStatus {
  online(): boolean;
  /** `listener` runs on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface RunDeps {
  /** Continue an answer from `ref.lastEventId` (the backend it came from first, then others). */
  resume?(ref: StreamRef, signal: AbortSignal, hooks: StreamHooks): AsyncIterable<ChatChunk>;
  /** Stop the answer where it is produced (`POST /api/chat/streams/:id/stop`). */
  stopStream?(ref: StreamRef, signal: AbortSignal): Promise<unknown>;
  network?: NetworkStatus;
}

export type RunStatus = 'done' | 'stopped' | 'error';

/** What a run reports to whoever shows the answer; nothing after `finish`. */
export interface RunEvents {
  /** A chunk, with its frame id: the two are saved together. */
  chunk(chunk: ChatChunk, eventId: string | undefined): void;
  stream(ref: Omit<StreamRef, 'lastEventId'>): void;
  answeredBy(answer: AnsweredBy): void;
  reconnecting(on: boolean): void;
  /** Once. `error` carries what was thrown. */
  finish(status: RunStatus, error?: unknown): void;
}

/** How long Stop waits for the API to confirm before it drops the connection anyway. */
export const STOP_TIMEOUT_MS = 3000;
/**
 * Resumes this run makes by itself while the browser says it is online, when the typed
 * client's own retries are spent or the first resume after a reload found no API: 1, 2, 4 s.
 */
export const RESUME_RETRIES = 3;
export const RESUME_RETRY_BASE_MS = 1000;

/**
 * The connection went away, rather than the API ending the answer: a resume may continue it.
 * An error event (status 200), a 404 or `stream_lost` is the answer's end, not a lost link.
 */
export function lostConnection(err: unknown): boolean {
  if (!(err instanceof ChatApiError)) return false;
  if (err.code === 'api_unreachable' || err.code === 'shutting_down') return true;
  return err.code === 'stream_interrupted' && err.status === undefined;
}

/**
 * Reads one answer to its end, across as many connections as it takes. The first connection
 * is the request (or, after a reload, a resume); a lost connection of a resumable answer is
 * resumed from the last frame whose text was handed on, so no text is missed or repeated:
 * at once when the browser comes back online, while it is offline not at all, otherwise a
 * few times with a backoff. Stop asks the API to stop the answer and then ends the reading;
 * the answer shows as stopped at once either way.
 */
export class AnswerRun {
  /** Stop (or abort): ends every connection and wait of this run. */
  private readonly stopper = new AbortController();
  private connection: AbortController | undefined;
  private ref: StreamRef | undefined;
  /** The id of the last frame whose chunk went to `events.chunk`. */
  private lastEventId: string | undefined;
  /** The id the client announced for the chunk it is about to yield. */
  private pendingId: string | undefined;
  private ended = false;
  private stopping = false;
  private restart = false;
  private reconnecting = false;
  /** Ends the current wait (offline, or a backoff) early: the network came back. */
  private wake: (() => void) | undefined;
  /** Started from a saved answer: the first connection is a resume. */
  private readonly resumed: boolean;

  private readonly hooks: StreamHooks = {
    onAnsweredBy: (answer) => {
      if (!this.ended) this.events.answeredBy(answer);
    },
    onStream: (info) => {
      // The frame to resume from is `lastEventId`, kept apart: this names the stream.
      this.ref = { ...info };
      if (!this.ended) this.events.stream(info);
    },
    onEventId: (id) => (this.pendingId = id),
    onReconnecting: (on) => this.setReconnecting(on),
  };

  /**
   * `first`: the request. `from`: an answer saved mid-stream, resumed from its last frame
   * (then `first` is not used).
   */
  constructor(
    private readonly first: Connect,
    private readonly deps: RunDeps,
    private readonly events: RunEvents,
    from?: StreamRef,
  ) {
    this.resumed = from !== undefined;
    if (from) {
      this.ref = from;
      this.lastEventId = from.lastEventId;
      // A saved answer is shown as reconnecting until its resume answers.
      this.reconnecting = true;
    }
  }

  /** Resolves when the reading has ended (after a stop: once the connection is closed too). */
  async run(): Promise<void> {
    const unsubscribe = this.deps.network?.subscribe(this.onNetwork);
    try {
      await this.read();
    } finally {
      unsubscribe?.();
      this.wake = undefined;
    }
  }

  /**
   * The user stopped the answer: it ends as stopped now, with what it shows. When its stream
   * id is known the API is asked to stop it (the upstream request ends at once, even where a
   * reload would have kept it going), then the connection is closed; without an id, or should
   * the request fail, closing the connection is what stops it, as the API aborts the upstream
   * when the client leaves before its answer could be resumed.
   */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.end('stopped');
    const ref = this.ref;
    if (!ref || !this.deps.stopStream) return this.stopper.abort();
    const timeout = new AbortController();
    const drop = () => {
      clearTimeout(timer);
      timeout.abort();
      this.stopper.abort();
    };
    // No answer in time counts as a failure: the UI never waits on the API to let go.
    const timer = setTimeout(drop, STOP_TIMEOUT_MS);
    this.deps.stopStream(ref, timeout.signal).then(drop, drop);
  }

  private get resumable(): boolean {
    return !!this.ref?.resumable && this.deps.resume !== undefined;
  }

  private readonly resumeConnect: Connect = (signal, hooks) =>
    this.deps.resume!(
      { ...this.ref!, ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}) },
      signal,
      hooks,
    );

  private async read(): Promise<void> {
    let connect = this.resumed ? this.resumeConnect : this.first;
    let retries = 0;
    for (;;) {
      const connection = new AbortController();
      const cut = () => connection.abort(this.stopper.signal.reason);
      this.stopper.signal.addEventListener('abort', cut, { once: true });
      if (this.stopper.signal.aborted) cut();
      this.connection = connection;
      this.restart = false;
      this.pendingId = undefined;
      try {
        for await (const chunk of connect(connection.signal, this.hooks)) {
          retries = 0;
          if (this.ended) continue; // stopped: read on silently until the API ends it
          this.setReconnecting(false);
          const id = this.pendingId;
          this.pendingId = undefined;
          this.events.chunk(chunk, id);
          if (id !== undefined) this.lastEventId = id;
        }
        return this.end('done');
      } catch (err) {
        if (this.stopping || this.stopper.signal.aborted) return this.end('stopped');
        // Stopped by its owner elsewhere (another tab): what arrived stays.
        if (err instanceof ChatStoppedError) return this.end('stopped');
        if (!this.restart) {
          if (!this.resumable || !lostConnection(err)) return this.end('error', err);
          this.setReconnecting(true);
          if (this.deps.network && !this.deps.network.online()) await this.until(undefined);
          else if (++retries > RESUME_RETRIES) return this.end('error', err);
          else await this.until(RESUME_RETRY_BASE_MS * 2 ** (retries - 1));
          if (this.stopping || this.stopper.signal.aborted) return this.end('stopped');
        }
        connect = this.resumeConnect;
      } finally {
        this.stopper.signal.removeEventListener('abort', cut);
        this.connection = undefined;
      }
    }
  }

  /** Wait `ms` (undefined: until the browser is online), or less: online again, or stopped. */
  private until(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopper.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.stopper.signal.addEventListener('abort', done, { once: true });
      this.wake = done;
      if (this.stopper.signal.aborted) done();
    });
  }

  /**
   * Offline: a resumable answer says it is reconnecting (its connection is likely gone, maybe
   * silently: a stalled connection reports nothing). Online again: a wait ends now, and the
   * connection of a reconnecting answer, whether still trying to resume or stalled since the
   * network went, is replaced by a resume from the last frame, rather than at the end of the
   * typed client's backoff (or never).
   */
  private readonly onNetwork = (): void => {
    if (this.ended) return;
    if (!this.deps.network!.online()) {
      if (this.resumable) this.setReconnecting(true);
      return;
    }
    if (this.wake) return this.wake();
    if (this.reconnecting && this.connection && this.resumable) {
      this.restart = true;
      this.connection.abort();
    }
  };

  /**
   * While the browser is offline the answer stays "reconnecting" even if a chunk still comes
   * in (one already on its way, or a link the browser does not count): its connection may be
   * dead without a word, as a lost network often leaves it, so it is replaced once online.
   */
  private setReconnecting(on: boolean): void {
    if (!on && this.deps.network && !this.deps.network.online()) return;
    if (this.ended || this.reconnecting === on) return;
    this.reconnecting = on;
    this.events.reconnecting(on);
  }

  private end(status: RunStatus, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.events.finish(status, error);
  }
}
