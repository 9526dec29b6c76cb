import { type ChatStreamEvent, parseChatFrame, readSseFrameBatches } from '@zai-chat/contract';

/**
 * One chat request through the web entry, read frame by frame with the contract's own SSE
 * reader: which replica answered (X-Instance-Id), every typed event, and in how many network
 * reads the frames arrived (a buffering proxy delivers them in one or two).
 */
export class ChatStream {
  readonly events: ChatStreamEvent[] = [];
  /** Network reads that carried at least one frame. */
  reads = 0;

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly batches: AsyncIterator<Array<{ event: string | undefined; data: string }>>,
  ) {}

  /** X-Instance-Id: the API replica (its container's hostname unless INSTANCE_ID is set). */
  get instance(): string {
    return this.headers.get('x-instance-id') ?? '';
  }

  get last(): ChatStreamEvent | undefined {
    return this.events.at(-1);
  }

  /** POST /api/chat and wait for the response head; a non-SSE answer is read whole. */
  static async open(baseUrl: string, content: string): Promise<ChatStream> {
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    });
    const isStream = /^text\/event-stream/.test(response.headers.get('content-type') ?? '');
    if (!isStream || !response.body) {
      const text = await response.text();
      throw new Error(
        `POST /api/chat → ${response.status} without a stream: ${text.slice(0, 300)}`,
      );
    }
    return new ChatStream(
      response.status,
      response.headers,
      readSseFrameBatches(response.body)[Symbol.asyncIterator](),
    );
  }

  /** Read until at least one event has arrived (the stream is flowing). */
  async firstEvent(): Promise<ChatStreamEvent> {
    while (this.events.length === 0) {
      if (!(await this.readBatch())) throw new Error('stream ended before its first frame');
    }
    return this.events[0]!;
  }

  /** Read to the end of the stream. */
  async finish(): Promise<ChatStreamEvent[]> {
    while (await this.readBatch()) {
      // Every batch is recorded by readBatch.
    }
    return this.events;
  }

  private async readBatch(): Promise<boolean> {
    const next = await this.batches.next();
    if (next.done) return false;
    this.reads += 1;
    for (const frame of next.value) this.events.push(parseChatFrame(frame));
    return true;
  }
}

/** A whole chat: open, read to the end. */
export async function chat(baseUrl: string, content: string): Promise<ChatStream> {
  const stream = await ChatStream.open(baseUrl, content);
  await stream.finish();
  return stream;
}

/** The answer text of a finished stream. */
export const textOf = (events: ChatStreamEvent[]): string =>
  events
    .map((e) => (e.type === 'chunk' ? (e.chunk.choices?.[0]?.delta?.content ?? '') : ''))
    .join('');
