import {
  type ChatChunk,
  type ChatStreamEvent,
  HEADERS,
  parseChatFrame,
  readSseFrameBatches,
  streamChat,
} from '@zai-chat/contract';

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
    return ChatStream.from('POST /api/chat', response);
  }

  /** GET /api/chat/streams/:id with Last-Event-ID: the frames after it, then the live ones. */
  static async resume(baseUrl: string, streamId: string, lastEventId: string): Promise<ChatStream> {
    const response = await fetch(`${baseUrl}/api/chat/streams/${encodeURIComponent(streamId)}`, {
      headers: { Accept: 'text/event-stream', [HEADERS.lastEventId]: lastEventId },
    });
    return ChatStream.from(`GET /api/chat/streams/${streamId}`, response);
  }

  private static async from(what: string, response: Response): Promise<ChatStream> {
    const isStream = /^text\/event-stream/.test(response.headers.get('content-type') ?? '');
    if (!isStream || !response.body) {
      const text = await response.text();
      throw new Error(`${what} → ${response.status} without a stream: ${text.slice(0, 300)}`);
    }
    return new ChatStream(
      response.status,
      response.headers,
      readSseFrameBatches(response.body)[Symbol.asyncIterator](),
    );
  }

  /** X-Stream-Id: what GET /api/chat/streams/:id resumes. */
  get streamId(): string {
    return this.headers.get(HEADERS.streamId) ?? '';
  }

  get chunks(): Array<Extract<ChatStreamEvent, { type: 'chunk' }>> {
    return this.events.filter((e) => e.type === 'chunk');
  }

  /** Read until at least `n` chunks have arrived. */
  async readChunks(n: number): Promise<void> {
    while (this.chunks.length < n) {
      if (!(await this.readBatch()))
        throw new Error(`stream ended after ${this.chunks.length} chunks`);
    }
  }

  /** Drop the connection, as a reload or a lost network would. */
  async close(): Promise<void> {
    await this.batches.return?.();
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

/** A chunk without what differs per upstream request (its id, creation time, request id). */
export function chunkContent(chunk: ChatChunk): string {
  const {
    id: _id,
    created: _created,
    request_id: _requestId,
    ...rest
  } = chunk as ChatChunk & { request_id?: string };
  return JSON.stringify(rest);
}

/** One chat through the contract's typed client, as the web app streams it. */
export interface TypedRun {
  readonly prompt: string;
  /** Every chunk received, by chunkContent. */
  readonly chunks: string[];
  streamId: string;
  /** X-Instance-Id of the POST: the replica that produces the answer. */
  instance: string;
  /** X-Instance-Id of every resume the client made (after `reconnect` or a lost connection). */
  readonly resumedOn: string[];
  /** Settles when the answer ended: no error after [DONE]. */
  readonly done: Promise<{ error?: unknown }>;
}

/**
 * `streamChat` from @zai-chat/contract through `baseUrl` (resume on, its default): it follows
 * `event: reconnect` from a draining replica and resumes a lost connection by itself.
 */
export function typedChat(baseUrl: string, prompt: string): TypedRun {
  const resumedOn: string[] = [];
  const chunks: string[] = [];
  const run = { prompt, chunks, streamId: '', instance: '', resumedOn } as Omit<TypedRun, 'done'>;
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const instance = response.headers.get('x-instance-id') ?? '';
    if (init?.method === 'POST') run.instance = instance;
    else resumedOn.push(instance);
    return response;
  };
  const done = (async () => {
    try {
      for await (const chunk of streamChat(
        { messages: [{ role: 'user', content: prompt }] },
        { baseUrl, fetch: recording, onStream: ({ streamId }) => (run.streamId = streamId) },
      )) {
        chunks.push(chunkContent(chunk));
      }
      return {};
    } catch (error) {
      return { error };
    }
  })();
  return Object.assign(run, { done });
}
