// A second floor: the bare pipe (pipe.mjs) behind Express and express.json(), i.e. what any
// Express relay that reads the JSON body pays before doing anything of its own. Shown beside
// the API's CPU per request, so the report separates Express's cost from zai-chat's.
// Plain JS for the same reason as pipe.mjs: no loader in the measured process.
import { Agent, request } from 'node:http';
import express from 'express';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const authorization = process.env.UPSTREAM_AUTHORIZATION ?? '';
const agent = new Agent({ keepAlive: true, timeout: 4000 });
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'te',
  'content-length',
]);

function endToEnd(headers) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '8mb' }));
app.all('*', (req, res) => {
  const body = req.method === 'GET' ? undefined : JSON.stringify(req.body);
  const headers = { ...endToEnd(req.headers), authorization };
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
  up.end(body);
});
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
