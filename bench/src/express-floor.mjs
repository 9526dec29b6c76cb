// A second floor: the bare pipe's forwarding (forward.mjs) behind Express and express.json(),
// i.e. what any Express relay that reads the JSON body pays before doing anything of its own.
// Shown beside the API's CPU per request, so the report separates Express's cost from
// zai-chat's. Plain JS for the same reason as pipe.mjs: no loader in the measured process.
import express from 'express';
import { forward } from './forward.mjs';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '8mb' }));
app.all('*', (req, res) =>
  forward(req, res, req.method === 'GET' ? undefined : JSON.stringify(req.body)),
);
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
