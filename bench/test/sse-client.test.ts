import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ResponseReader, SseClient } from '../src/sse-client';

const frame = (i: number) => `data: {"i":${i},"text":"é 你 🙂"}\n\n`;
const sse = (n: number) => [...Array.from({ length: n }, (_, i) => frame(i)), 'data: [DONE]\n\n'];

/** A chunked HTTP/1.1 response, one chunk per piece. */
function chunkedResponse(pieces: string[]): Buffer {
  const body = pieces
    .map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`)
    .concat('0\r\n\r\n')
    .join('');
  return Buffer.from(
    `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${body}`,
  );
}

function feed(reader: ResponseReader, bytes: Buffer, step: number) {
  let rest: Buffer | undefined;
  for (let at = 0; at < bytes.length && rest === undefined; at += step) {
    rest = reader.push(bytes.subarray(at, at + step));
  }
  return rest;
}

test.each([1, 2, 3, 7, 64, 100_000])(
  'counts every frame and sees the end, whatever the reads cut (%i bytes per read)',
  (step) => {
    // Frames cut across chunks too: as a pipe re-chunks whatever its reads held.
    const text = sse(25).join('');
    const pieces = [text.slice(0, 3), text.slice(3, 50), text.slice(50, 51), text.slice(51)];
    let first = 0;
    const reader = new ResponseReader(() => first++);
    const rest = feed(reader, chunkedResponse(pieces), step);
    expect(rest).toBeDefined();
    expect(reader.status).toBe(200);
    expect(reader.frames).toBe(25);
    expect(reader.done).toBe(true);
    expect(first).toBe(1);
  },
);

test('returns the bytes after the response (the next response on a kept-alive socket)', () => {
  const one = chunkedResponse(sse(2));
  const reader = new ResponseReader();
  const rest = reader.push(Buffer.concat([one, Buffer.from('HTTP/1.1 200')]));
  expect(rest?.toString()).toBe('HTTP/1.1 200');
});

test('reads a Content-Length body (an error answer) and a status', () => {
  const json = '{"error":{"code":"1214"}}';
  const reader = new ResponseReader();
  const rest = reader.push(
    Buffer.from(`HTTP/1.1 400 Bad Request\r\ncontent-length: ${json.length}\r\n\r\n${json}`),
  );
  expect(rest).toBeDefined();
  expect(reader.status).toBe(400);
  expect(reader.frames).toBe(0);
  expect(reader.done).toBe(false);
});

test('a stream without [DONE] is not done', () => {
  const reader = new ResponseReader();
  expect(reader.push(chunkedResponse([frame(0)]))).toBeDefined();
  expect(reader.frames).toBe(1);
  expect(reader.done).toBe(false);
});

// Against node:http on loopback: keep-alive reuse, and a kept-alive socket the server closed.
let server: ReturnType<typeof createServer>;
let url: URL;
let connections = 0;
/** Set: the next request on an already-used connection is dropped unanswered (idle close race). */
let dropReused = false;
const used = new WeakSet<object>();
beforeAll(async () => {
  server = createServer((req, res) => {
    if (dropReused && used.has(req.socket)) {
      dropReused = false;
      return void req.socket.destroy();
    }
    used.add(req.socket);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of sse(3)) res.write(piece);
      res.end();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('reuses one connection for requests in sequence, and opens fresh ones when asked', async () => {
  const client = new SseClient();
  const before = connections;
  for (let i = 0; i < 3; i++) {
    expect(await client.send(url, '{}')).toEqual({ status: 200, frames: 3, done: true });
  }
  expect(connections - before).toBe(1);
  await client.send(url, '{}', { fresh: true });
  expect(connections - before).toBe(2);
  client.close();
});

test('retries once on a fresh connection when a reused one closes unanswered', async () => {
  const client = new SseClient();
  await client.send(url, '{}');
  const before = connections;
  dropReused = true;
  expect(await client.send(url, '{}')).toEqual({ status: 200, frames: 3, done: true });
  expect(dropReused).toBe(false); // the reused connection was tried and dropped
  expect(connections - before).toBe(1);
  client.close();
});

test('a fresh connection that closes unanswered is a failure, not retried', async () => {
  const client = new SseClient();
  const dropper = createServer((req) => req.socket.destroy());
  await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
  const port = (dropper.address() as AddressInfo).port;
  expect(await client.send(new URL(`http://127.0.0.1:${port}/`), '{}')).toEqual({
    status: 0,
    frames: 0,
    done: false,
  });
  await new Promise<void>((r) => dropper.close(() => r()));
});
