import type { ServerResponse } from 'node:http';
import { KEEP_ALIVE_FRAME, SSE_HEADERS } from '@zai-chat/contract';

/**
 * Writes SSE frames to one response: headers flushed at once, backpressure respected, and a
 * keep-alive comment whenever the stream has been quiet for `keepAliveMs`, so proxies and load
 * balancers don't cut a stream that is waiting on the first token or on long reasoning.
 */
/** How long an early end waits for its final frame to reach a reader that may have stopped. */
const END_GRACE_MS = 1000;

export class SseWriter {
  private keepAlive: NodeJS.Timeout | undefined;
  private wroteSinceTick = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepAliveMs: number,
    /** The exchange's signal: a deadline or shutdown must not wait on a reader that stopped reading. */
    private readonly signal?: AbortSignal,
  ) {}

  open(extraHeaders: Record<string, string> = {}): void {
    this.res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
    this.res.flushHeaders();
    this.keepAlive = setInterval(() => {
      if (!this.wroteSinceTick && this.writable) this.res.write(KEEP_ALIVE_FRAME);
      this.wroteSinceTick = false;
    }, this.keepAliveMs);
    this.keepAlive.unref();
  }

  get writable(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** Returns a promise only when the socket is full; the hot path stays allocation-free. */
  write(frame: string): Promise<void> | undefined {
    this.wroteSinceTick = true;
    // A response already closed returns false from write() and will never emit 'drain' or
    // 'close' again: waiting for them would hang the relay (and its stream) forever.
    if (!this.writable) return undefined;
    if (this.res.write(frame)) return undefined;
    if (!this.writable || this.signal?.aborted) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.signal?.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }

  end(frame?: string): void {
    this.stop();
    if (!this.writable) return;
    // Ended early (deadline, shutdown) while the reader is not reading: the final frame would
    // sit behind a full socket indefinitely, so the connection is cut instead.
    if (this.signal?.aborted && this.res.writableNeedDrain) return void this.res.destroy();
    this.res.end(frame);
    if (!this.signal?.aborted || this.res.writableFinished) return;
    // A full kernel buffer is invisible from here (writableNeedDrain can be false while the
    // reader has stopped): give the final frame a moment to leave, then let go regardless.
    const cut = setTimeout(() => this.res.destroy(), END_GRACE_MS);
    cut.unref();
    this.res.once('finish', () => clearTimeout(cut));
  }

  stop(): void {
    clearInterval(this.keepAlive);
  }
}
