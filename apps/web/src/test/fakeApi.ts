import {
  DONE_FRAME,
  HEADERS,
  encodeErrorFrame,
  encodeStoppedFrame,
  type ErrorBody,
} from '@zai-chat/contract';

/**
 * A scripted stand-in for the API's streaming routes, as a `fetch`: `POST /api/chat` opens an
 * answer the test writes to frame by frame (numbered like the API's), `GET
 * /api/chat/streams/:id` replays the frames after `Last-Event-ID` and then follows the live
 * ones, `POST …/stop` stops it (readers get `event: stopped`). Requests honour their abort
 * signal as a browser's fetch does. The test can cut every open connection (`drop`), take a
 * base off the network (`down`), or make an id unknown or its producer lost.
 */
export class FakeApi {
  readonly answers = new Map<string, FakeAnswer>();
  /** Every request, in order. */
  readonly calls: { method: string; url: string; lastEventId?: string; auth?: string }[] = [];
  /** Bases whose requests fail as a network error. */
  readonly down = new Set<string>();
  /** Stream ids the API reports as lost (their producer died). */
  readonly lost = new Set<string>();
  /** Bases that know no stream (another deployment). */
  readonly foreign = new Set<string>();
  /** Whether new answers are resumable (`X-Stream-Resumable`, Redis on). */
  resumable = true;
  /** Hold stop requests until `releaseStops()` (a slow API). */
  holdStops = false;
  private heldStops: (() => void)[] = [];
  private counter = 0;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    this.calls.push({
      method,
      url,
      ...(headers.get(HEADERS.lastEventId)
        ? { lastEventId: headers.get(HEADERS.lastEventId)! }
        : {}),
      ...(headers.get('authorization') ? { auth: headers.get('authorization')! } : {}),
    });
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const { origin, pathname } = new URL(url, 'http://page');
    const base = url.startsWith('http') ? origin : '';
    if (this.down.has(base)) throw new TypeError('Failed to fetch');
    if (method === 'POST' && pathname === '/api/chat') {
      const id = `stream${String(++this.counter).padStart(12, '0')}`;
      const answer = new FakeAnswer(id);
      this.answers.set(id, answer);
      return answer.open(0, signal, {
        [HEADERS.streamId]: id,
        [HEADERS.streamResumable]: String(this.resumable),
        'x-instance-id': 'api-1',
      });
    }
    const match = /^\/api\/chat\/streams\/([^/]+)(\/stop)?$/.exec(pathname);
    const answer = match && !this.foreign.has(base) ? this.answers.get(match[1]!) : undefined;
    if (!match || !answer) return typed(404, 'stream_not_found');
    if (match[2]) {
      if (this.holdStops) await new Promise<void>((r) => this.heldStops.push(r));
      const stopped = answer.stop();
      return Response.json({ streamId: answer.id, stopped });
    }
    if (this.lost.has(answer.id)) return typed(502, 'stream_lost');
    return answer.open(Number(headers.get(HEADERS.lastEventId) ?? 0), signal, {
      [HEADERS.streamId]: answer.id,
    });
  };

  /** The only answer opened so far (most tests have one). */
  get answer(): FakeAnswer {
    const last = [...this.answers.values()].at(-1);
    if (!last) throw new Error('no answer opened yet');
    return last;
  }

  releaseStops(): void {
    this.holdStops = false;
    for (const release of this.heldStops.splice(0)) release();
  }

  requests(method: string, part: string) {
    return this.calls.filter((c) => c.method === method && c.url.includes(part));
  }
}

const chunkJson = (content: string) =>
  JSON.stringify({ id: 'c', created: 1, model: 'm', choices: [{ index: 0, delta: { content } }] });

function typed(status: number, code: ErrorBody['error']['code']): Response {
  return Response.json({ error: { code, message: code, requestId: 'req' } }, { status });
}

interface Reader {
  controller: ReadableStreamDefaultController<Uint8Array>;
}

/** One answer: its numbered frames so far, and the connections reading it. */
export class FakeAnswer {
  private readonly frames: string[] = [];
  private readonly readers = new Set<Reader>();
  private ended = false;
  /** Connections that ended because their client aborted them. */
  abortedReaders = 0;
  /** Connections that the server closed after the last frame. */
  closedReaders = 0;

  constructor(readonly id: string) {}

  get openReaders(): number {
    return this.readers.size;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Send a content chunk (the next numbered frame) to every reader. */
  push(...texts: string[]): void {
    for (const text of texts)
      this.write(`id: ${this.frames.length + 1}\ndata: ${chunkJson(text)}\n\n`);
  }

  /** The end: `[DONE]`, numbered, then every connection closes. */
  done(): void {
    this.write(`id: ${this.frames.length + 1}\n${DONE_FRAME}`, true);
  }

  /** A final error event (what the API sends when the answer fails or expires). */
  fail(code: ErrorBody['error']['code']): void {
    const frame = encodeErrorFrame({ error: { code, message: code, requestId: 'req' } });
    this.write(`id: ${this.frames.length + 1}\n${frame}`, true);
  }

  /** Stopped by its owner: `event: stopped` to every reader. False when it had ended. */
  stop(): boolean {
    if (this.ended) return false;
    this.write(`id: ${this.frames.length + 1}\n${encodeStoppedFrame({ streamId: this.id })}`, true);
    return true;
  }

  /** The network went away: every open connection fails; the answer goes on being produced. */
  drop(): void {
    for (const reader of [...this.readers]) {
      this.readers.delete(reader);
      reader.controller.error(new TypeError('network error'));
    }
  }

  open(after: number, signal: AbortSignal | undefined, headers: Record<string, string>): Response {
    let reader!: Reader;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        reader = { controller };
        const missed = this.frames.slice(after).join('');
        if (missed) controller.enqueue(encode(missed));
        if (this.ended) {
          controller.close();
          this.closedReaders++;
        } else this.readers.add(reader);
      },
      cancel: () => void this.readers.delete(reader),
    });
    signal?.addEventListener(
      'abort',
      () => {
        if (!this.readers.delete(reader)) return;
        this.abortedReaders++;
        reader.controller.error(signal.reason);
      },
      { once: true },
    );
    return new Response(body, { headers: { 'content-type': 'text/event-stream', ...headers } });
  }

  private write(frame: string, last = false): void {
    this.frames.push(frame);
    for (const reader of this.readers) reader.controller.enqueue(encode(frame));
    if (!last) return;
    this.ended = true;
    for (const reader of [...this.readers]) {
      this.readers.delete(reader);
      reader.controller.close();
      this.closedReaders++;
    }
  }
}

const encode = (text: string) => new TextEncoder().encode(text);
