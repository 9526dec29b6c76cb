import type { ChatChunk } from '@zai-chat/contract';
import type { StreamDelta } from './reducer';
import { toSources } from './sources';

/**
 * Collects chunk deltas and hands them over at most once per animation frame (or every
 * `fallbackMs` when frames are not running, e.g. in a background tab), so a fast stream
 * costs one React render per frame instead of one per chunk.
 */
export class StreamBatcher {
  private delta: StreamDelta = { content: '', reasoning: '' };
  private dirty = false;
  private frame: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (delta: StreamDelta) => void,
    private readonly fallbackMs = 100,
  ) {}

  /**
   * `eventId`: the chunk's frame id. It travels in the same delta as the chunk's text, so a
   * save never holds an id whose text it lacks (a resume would skip it) or the reverse.
   */
  push(chunk: ChatChunk, eventId?: string): void {
    if (eventId !== undefined) this.delta.eventId = eventId;
    const choice = chunk.choices?.[0];
    if (choice) {
      this.delta.content += choice.delta?.content ?? '';
      this.delta.reasoning += choice.delta?.reasoning_content ?? '';
      if (choice.finish_reason) this.delta.finishReason = choice.finish_reason;
      const calls = choice.delta?.tool_calls;
      if (calls?.length) (this.delta.toolCalls ??= []).push(...calls);
    }
    // Z.AI sends its search results once, as a top-level field of the first chunk.
    const sources = toSources(chunk.web_search);
    if (sources.length) this.delta.sources = sources;
    if (chunk.usage) this.delta.usage = chunk.usage;
    this.delta.model ??= chunk.model ?? undefined;
    this.dirty = true;
    this.schedule();
  }

  /** Deliver whatever is pending now (end of stream, stop, error). */
  flush = (): void => {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = this.timer = undefined;
    if (!this.dirty) return;
    const delta = this.delta;
    this.delta = { content: '', reasoning: '' };
    this.dirty = false;
    this.deliver(delta);
  };

  private schedule(): void {
    if (this.frame !== undefined || this.timer !== undefined) return;
    if (typeof requestAnimationFrame === 'function') this.frame = requestAnimationFrame(this.flush);
    this.timer = setTimeout(this.flush, this.fallbackMs);
  }
}
