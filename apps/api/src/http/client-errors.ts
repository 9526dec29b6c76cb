import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS, type ErrorCode } from '@zai-chat/contract';
import { errorBody } from './errors';

/**
 * Errors Node raises before a request reaches Express (a request slower than
 * REQUEST_TIMEOUT_MS, malformed HTTP, oversized headers) answered with the contract's JSON
 * error instead of Node's bare status line, then the connection closes.
 */
export function answerClientErrors(server: Server, onTimeout: () => void): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // As Node does: answer only if no response has started on this connection.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_request';
    if (code === 'request_timeout') onTimeout();
    const body = JSON.stringify(errorBody(code, '-'));
    const status = ERRORS[code].status;
    socket.end(
      `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
    // A peer that does not read the answer must not keep the connection.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}
