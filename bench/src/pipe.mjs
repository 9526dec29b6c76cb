// The floor of the relay benchmark: a bare node:http pass-through proxy with nothing a relay
// could leave out (forward.mjs: keep-alive upstream, headers flushed at once, the upstream
// request ended when the client leaves). Plain JS on purpose, so no loader or transpiler sits
// in the process it measures.
import { createServer } from 'node:http';
import { forward } from './forward.mjs';

createServer((req, res) => forward(req, res)).listen(
  Number(process.env.PORT),
  process.env.HOST ?? '127.0.0.1',
);

// Exit through process.exit, so that `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
