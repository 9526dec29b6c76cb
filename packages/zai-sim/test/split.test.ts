import { connect } from 'node:net';
import { readSseFrames } from '@zai-chat/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SPLIT_TEXT_PREFIX, splitsACharacter, startSimulator, type Simulator } from '../src/index';
import { text, type WireChunk } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

/** Decodes an HTTP/1.1 chunked body incrementally, so each socket read maps to body bytes. */
class ChunkedDecoder {
  readonly parts: Buffer[] = [];
  /** The terminating zero-size chunk was read. */
  done = false;
  private state: 'size' | 'data' | 'crlf' = 'size';
  private sizeLine = '';
  private remaining = 0;
  push(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'size') {
        const c = buf[i++] as number;
        if (c !== 0x0a) {
          this.sizeLine += String.fromCharCode(c);
          continue;
        }
        this.remaining = parseInt(this.sizeLine.trim(), 16);
        this.sizeLine = '';
        this.state = this.remaining > 0 ? 'data' : 'crlf';
        if (this.remaining === 0) this.done = true;
      } else if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length - i);
        this.parts.push(buf.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'crlf';
      } else if (buf[i++] === 0x0a) {
        this.state = 'size';
      }
    }
  }
}

interface RawExchange {
  status: number;
  headers: string;
  body: Buffer;
  /** Body length at the end of each socket read that delivered body bytes. */
  readEnds: number[];
}

/** One request over a bare TCP socket, recording what each `read` delivered. */
function rawChat(content: string, stream: boolean): Promise<RawExchange> {
  const url = new URL(`${sim.url}/chat/completions`);
  const payload = JSON.stringify({
    model: 'glm-4.6',
    stream,
    messages: [{ role: 'user', content }],
  });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let head = Buffer.alloc(0);
    let headers: string | undefined;
    let chunked = false;
    const decoder = new ChunkedDecoder();
    const raw: Buffer[] = [];
    const readEnds: number[] = [];
    const bodyLength = () => (chunked ? decoder.parts : raw).reduce((n, b) => n + b.length, 0);
    socket.on('data', (data: Buffer) => {
      let rest = data;
      if (headers === undefined) {
        head = Buffer.concat([head, data]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        headers = head.subarray(0, end).toString('latin1');
        chunked = /transfer-encoding: chunked/i.test(headers);
        rest = head.subarray(end + 4);
      }
      const before = bodyLength();
      if (chunked) decoder.push(rest);
      else raw.push(rest);
      if (bodyLength() > before) readEnds.push(bodyLength());
      if (chunked && decoder.done) finish();
    });
    socket.on('error', reject);
    // The SSE response asks for keep-alive, so the end is the last chunk, not the socket closing.
    const finish = () => {
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(headers ?? '')?.[1]);
      resolve({
        status,
        headers: headers ?? '',
        body: Buffer.concat(chunked ? decoder.parts : raw),
        readEnds,
      });
    };
    socket.on('end', finish);
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${sim.apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` +
        `Connection: close\r\n\r\n${payload}`,
    );
  });
}

describe('split scenario over a bare socket', () => {
  test('frames and multi-byte characters arrive cut across separate reads', async () => {
    const ex = await rawChat('[sim:split] Hello', true);
    expect(ex.status).toBe(200);
    expect(ex.headers).toMatch(/text\/event-stream/);

    const frames: string[] = [];
    // The reassembled body as one readable stream: the reads were checked above, byte by byte.
    const source = new Blob([new Uint8Array(ex.body)]).stream();
    for await (const f of readSseFrames(source)) frames.push(f.data);
    expect(frames.at(-1)).toBe('[DONE]');
    const cs = frames.slice(0, -1).map((f) => JSON.parse(f) as WireChunk);
    expect(text(cs).startsWith(SPLIT_TEXT_PREFIX)).toBe(true);

    // Many more reads than frames: each frame came in pieces.
    expect(ex.readEnds.length).toBeGreaterThan(frames.length);
    const upTo = (end: number) => ex.body.subarray(0, end);
    // Some read ends in the middle of a frame, some inside a multi-byte character.
    expect(ex.readEnds.some((end) => !upTo(end).toString('latin1').endsWith('\n\n'))).toBe(true);
    const cutChars = ['é', '你', '🙂'].filter((char) => {
      const at = ex.body.indexOf(Buffer.from(char));
      return ex.readEnds.some((end) => end > at && end < at + Buffer.byteLength(char));
    });
    expect(cutChars.length).toBeGreaterThanOrEqual(1);
    expect(ex.readEnds.some((end) => splitsACharacter(upTo(end)))).toBe(true);
    // And some single read delivered the end of one frame, a whole frame and part of a third.
    const reads = ex.readEnds.map((end, i) =>
      ex.body.subarray(ex.readEnds[i - 1] ?? 0, end).toString('latin1'),
    );
    expect(reads.some((r) => (r.match(/\n\ndata: /g) ?? []).length >= 2)).toBe(true);
  });

  test('a non-streamed answer arrives in several reads and still parses', async () => {
    const ex = await rawChat('[sim:split] Hello', false);
    expect(ex.status).toBe(200);
    expect(ex.readEnds.length).toBeGreaterThanOrEqual(2);
    const body = JSON.parse(ex.body.toString('utf8')) as WireChunk;
    expect(body.choices?.[0]?.message?.content?.startsWith(SPLIT_TEXT_PREFIX)).toBe(true);
  });
});
