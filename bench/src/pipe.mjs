// The floor of the relay benchmark: a bare node:http pass-through proxy with nothing a relay
// could leave out. Each request goes to the same path on UPSTREAM_URL's origin over a keep-alive
// agent, with the upstream's key added; the response's status, end-to-end headers and body
// bytes are piped back as they arrive. Plain JS on purpose, so no loader or transpiler sits in
// the process it measures. Headers are flushed at once (as any SSE relay must, for answers that
// think before their first token), and a client that leaves ends the upstream request.
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const authorization = process.env.UPSTREAM_AUTHORIZATION ?? '';
// Idle upstream sockets go after 4 s, before the simulator's 5 s keep-alive timeout can close one
// under a new request: its streamed answers carry no Keep-Alive hint for Node's agent to honour.
const agent = new Agent({ keepAlive: true, timeout: 4000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'te']);

function endToEnd(headers) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

createServer((req, res) => {
  const headers = { ...endToEnd(req.headers), authorization };
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
  req.pipe(up);
}).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');

// Exit through process.exit, so that `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
