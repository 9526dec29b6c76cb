import { type Socket, connect } from 'node:net';

/**
 * The load generator's HTTP/1.1 client: raw keep-alive sockets, a chunked-encoding reader and a
 * `data: {` counter, nothing else. node:http's client costs this process ~5 µs per chunk (one
 * parser callback, stream event and UTF-8 decode per chunk); on 2 shared cores that CPU is
 * taken from the relay being measured and squeezes every ratio towards 1. Here a network read
 * costs one pass over its bytes.
 */

const FRAME = 'data: {';
const DONE = 'data: [DONE]';
const CRLF2 = Buffer.from('\r\n\r\n');

export interface SseResponse {
  status: number;
  /** `data: {` frames in the body. */
  frames: number;
  /** The body ended with `data: [DONE]`. */
  done: boolean;
}

/**
 * Reads one response from the bytes of a connection: status line and headers, then a chunked
 * or Content-Length body, counting frames in the de-chunked body (a frame's prefix may be cut
 * across reads and chunks). `push` returns the bytes after the response's end, or undefined
 * while the response is still open.
 */
export class ResponseReader {
  status = 0;
  frames = 0;
  /** The server said `Connection: close`: the socket is not reused. */
  closes = false;
  private head: Buffer | undefined = Buffer.alloc(0);
  private chunked = false;
  /** Body bytes left: of the current chunk (chunked) or of the whole body (Content-Length). */
  private left = 0;
  private state: 'head' | 'size' | 'data' | 'data-crlf' | 'trailer' | 'body' | 'end' = 'head';
  private line = '';
  private tail = '';

  constructor(private readonly onFirstFrame?: () => void) {}

  get ended(): boolean {
    return this.state === 'end';
  }

  get done(): boolean {
    return this.tail.includes(DONE);
  }

  push(buf: Buffer): Buffer | undefined {
    let at = 0;
    if (this.state === 'head') {
      const all = Buffer.concat([this.head!, buf]);
      const end = all.indexOf(CRLF2);
      if (end === -1) {
        this.head = all;
        return undefined;
      }
      this.readHead(all.toString('latin1', 0, end));
      this.head = undefined;
      buf = all;
      at = end + 4;
    }
    while (at < buf.length && this.state !== 'end') {
      if (this.state === 'data' || this.state === 'body') {
        const take = Math.min(this.left, buf.length - at);
        this.count(buf.toString('latin1', at, at + take));
        at += take;
        this.left -= take;
        if (this.left === 0) this.state = this.state === 'body' ? 'end' : 'data-crlf';
      } else {
        // size line, the CRLF after a chunk's data, and the empty line after the last chunk
        const nl = buf.indexOf(10, at);
        const stop = nl === -1 ? buf.length : nl + 1;
        this.line += buf.toString('latin1', at, stop);
        at = stop;
        if (nl === -1) break;
        const line = this.line.trim();
        this.line = '';
        if (this.state === 'size') {
          this.left = Number.parseInt(line.split(';')[0]!, 16);
          this.state = this.left > 0 ? 'data' : 'trailer';
        } else if (this.state === 'data-crlf') {
          this.state = 'size';
        } else if (line === '') {
          this.state = 'end';
        }
      }
    }
    return this.state === 'end' ? buf.subarray(at) : undefined;
  }

  private readHead(text: string) {
    const lines = text.split('\r\n');
    this.status = Number(lines[0]!.split(' ')[1]);
    // Neither chunked nor a length: the body runs until the server closes.
    this.left = Number.POSITIVE_INFINITY;
    for (const l of lines.slice(1)) {
      const colon = l.indexOf(':');
      const name = l.slice(0, colon).trim().toLowerCase();
      const value = l
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'transfer-encoding' && value.includes('chunked')) this.chunked = true;
      if (name === 'content-length') this.left = Number(value);
      if (name === 'connection' && value === 'close') this.closes = true;
    }
    this.state = this.chunked ? 'size' : this.left > 0 ? 'body' : 'end';
  }

  private count(text: string) {
    const scan = this.tail + text;
    // Prefixes that lie wholly in `tail` were counted already.
    let at = scan.indexOf(FRAME, Math.max(0, this.tail.length - FRAME.length + 1));
    while (at !== -1) {
      if (this.frames++ === 0) this.onFirstFrame?.();
      at = scan.indexOf(FRAME, at + FRAME.length);
    }
    this.tail = scan.slice(-24);
  }
}

export interface SendOptions {
  headers?: Record<string, string>;
  onFirstFrame?: () => void;
  /** A fresh connection closed after the response, as a new browser tab's would be. */
  fresh?: boolean;
  /** Hands out the socket, so a caller can cut the stream. */
  onSocket?: (socket: Socket) => void;
}

/** Node servers close a connection idle for 5 s (keepAliveTimeout); reuse stops well before. */
const IDLE_REUSE_MS = 3000;

interface Idle {
  socket: Socket;
  since: number;
}

/** Keep-alive sockets per origin, idle ones reused last-in first-out. */
export class SseClient {
  private readonly idle = new Map<string, Idle[]>();

  async send(url: URL, body: string, options: SendOptions = {}): Promise<SseResponse> {
    const reused = options.fresh ? undefined : this.take(url.host);
    const first = await this.exchange(url, body, options, reused);
    // A kept-alive socket the server closed as it was reused never saw the request: once more.
    if (reused && first === undefined) return (await this.exchange(url, body, options))!;
    return first ?? { status: 0, frames: 0, done: false };
  }

  private take(key: string): Socket | undefined {
    const list = this.idle.get(key);
    const now = performance.now();
    for (let entry = list?.pop(); entry; entry = list?.pop()) {
      if (now - entry.since < IDLE_REUSE_MS && !entry.socket.destroyed) return entry.socket;
      entry.socket.destroy();
    }
    return undefined;
  }

  private open(url: URL): Socket {
    const socket = connect(Number(url.port || 80), url.hostname);
    socket.setNoDelay(true);
    // For the socket's whole life, whether busy or idle: an error is followed by its close.
    socket.on('error', () => undefined);
    socket.on('close', () => this.forget(url.host, socket));
    return socket;
  }

  /** One request on `socket` (or a new one); undefined if a reused socket closed unanswered. */
  private exchange(
    url: URL,
    body: string,
    options: SendOptions,
    reused?: Socket,
  ): Promise<SseResponse | undefined> {
    const socket = reused ?? this.open(url);
    options.onSocket?.(socket);
    const head = [
      `POST ${url.pathname}${url.search} HTTP/1.1`,
      `host: ${url.host}`,
      'content-type: application/json',
      'accept: text/event-stream',
      `content-length: ${Buffer.byteLength(body)}`,
      `connection: ${options.fresh ? 'close' : 'keep-alive'}`,
      ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
    const reader = new ResponseReader(options.onFirstFrame);
    let received = false;
    return new Promise((resolve) => {
      const finish = (reusable: boolean) => {
        socket.off('data', onData);
        socket.off('close', onClose);
        if (reusable) {
          const list = this.idle.get(url.host) ?? [];
          list.push({ socket, since: performance.now() });
          this.idle.set(url.host, list);
        } else {
          socket.destroy();
        }
        if (reused && !received) return resolve(undefined);
        resolve({ status: reader.status, frames: reader.frames, done: reader.done });
      };
      const onData = (buf: Buffer) => {
        received = true;
        const rest = reader.push(buf);
        if (rest !== undefined) finish(!options.fresh && !reader.closes && rest.length === 0);
      };
      const onClose = () => finish(false);
      socket.on('data', onData);
      socket.on('close', onClose);
    });
  }

  private forget(key: string, socket: Socket) {
    const list = this.idle.get(key);
    const i = list?.findIndex((e) => e.socket === socket) ?? -1;
    if (i !== -1) list!.splice(i, 1);
  }

  /** Close every idle connection. */
  close(): void {
    for (const list of this.idle.values()) for (const e of list) e.socket.destroy();
    this.idle.clear();
  }
}
