import type { ServerResponse } from 'node:http';
import { encodeReconnectFrame } from '@zai-chat/contract';
import { SseWriter } from '../http/sse-writer';
import type { StreamReader } from './answer';

/**
 * The response of `GET /api/chat/streams/:id`, as a reader of an answer. Frames may arrive
 * before ts-rest hands over the response (the replay is computed while the handler decides
 * its status), so they wait here until `bind`. No backpressure towards the producer: a
 * resumed reader gets frames at the upstream's pace, bounded by the answer's size.
 */
export class ResumeResponse implements StreamReader {
  private writer: SseWriter | undefined;
  private pending = '';
  private ending: string | undefined;
  /** The id of the last frame handed to this reader. */
  lastId: number;
  /** Called when the client goes away before the end. */
  onClose: (() => void) | undefined;
  /** The resume request's id, for error frames. */
  requestId = '';

  constructor(
    readonly streamId: string,
    after: number,
    private readonly keepAliveMs: number,
  ) {
    this.lastId = after;
  }

  send(text: string, lastId: number): undefined {
    this.lastId = lastId;
    if (this.ending !== undefined) return;
    if (this.writer) void this.writer.write(text);
    else this.pending += text;
  }

  end(text: string, lastId: number): void {
    this.lastId = lastId;
    this.finish(text);
  }

  /** Close with a frame that is not part of the answer (no id): an error, or a reconnect. */
  finish(frame: string): void {
    if (this.ending !== undefined) return;
    this.ending = frame;
    this.writer?.end(this.pending + frame);
    this.pending = '';
  }

  reconnect(streamId: string): void {
    this.finish(encodeReconnectFrame({ streamId, lastEventId: String(this.lastId) }));
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  bind(res: ServerResponse, headers: Record<string, string>): void {
    const writer = new SseWriter(res, this.keepAliveMs);
    this.writer = writer;
    writer.open(headers);
    res.on('close', () => {
      writer.stop();
      if (!res.writableFinished && this.ending === undefined) {
        this.ending = '';
        this.onClose?.();
      }
    });
    if (this.ending !== undefined) return writer.end(this.pending + this.ending);
    if (this.pending) void writer.write(this.pending);
    this.pending = '';
  }
}
