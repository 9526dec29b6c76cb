// The pass-through both floors share (pipe.mjs bare, express-floor.mjs behind Express): each
// request goes to the same path on UPSTREAM_URL's origin over a keep-alive agent, with the
// upstream's key added; the response's status, end-to-end headers and body bytes are piped back
// as they arrive. Headers are flushed at once (as any SSE relay must, for answers that think
// before their first token), and a client that leaves ends the upstream request.
import { Agent, request } from 'node:http';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const authorization = process.env.UPSTREAM_AUTHORIZATION ?? '';
// Idle upstream sockets go after 4 s, before the simulator's 5 s keep-alive timeout can close one
// under a new request: its streamed answers carry no Keep-Alive hint for Node's agent to honour.
const agent = new Agent({ keepAlive: true, timeout: 4000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'te']);

function endToEnd(headers, drop) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name) && name !== drop) out[name] = headers[name];
  return out;
}

/**
 * Forward `req` upstream and its answer to `res`. `body` undefined pipes the request's own
 * bytes; a string (a body already parsed and serialised again) is sent instead.
 */
export function forward(req, res, body) {
  const headers = {
    ...endToEnd(req.headers, body === undefined ? '' : 'content-length'),
    authorization,
  };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const up = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      agent,
      headers,
    },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers));
      res.flushHeaders();
      upRes.on('error', () => res.destroy());
      upRes.pipe(res);
    },
  );
  up.setNoDelay(true);
  up.on('error', () => res.destroy());
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  if (body === undefined) req.pipe(up);
  else up.end(body);
}
