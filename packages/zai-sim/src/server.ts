import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerFor, markdownAnswer, reasoningFor, splitIntoChunks } from './answers';
import { isAuthorized } from './auth';
import {
  ERROR_SCENARIOS,
  badKeyError,
  errorJson,
  missingKeyError,
  type UpstreamError,
} from './errors';
import { chooseScenario, type Scenario } from './scenarios';

export const SIM_BASE_PATH = '/api/paas/v4';
/** Shaped like a real key (`<id>.<secret>`) so JWT mode can be exercised too. */
export const DEFAULT_SIM_API_KEY = 'sim-key-id.sim-key-secret';
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface SimulatorOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Delay between chunks of ordinary scenarios (ms). */
  chunkDelayMs?: number;
  /** Total duration of the `slow` scenario (ms), spread over its chunks by deadline. */
  slowTotalMs?: number;
}

export interface RecordedRequest {
  scenario: Scenario;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface Simulator {
  /** Base URL to configure as ZAI_BASE_URL, e.g. `http://127.0.0.1:4010/api/paas/v4`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Chat requests whose connection is still open (for leak tests). */
  openRequests(): number;
  /** Chat requests received since start. */
  totalRequests(): number;
  /** The last 100 chat requests, newest last. */
  readonly requests: RecordedRequest[];
  /** Resolves when the number of open requests drops to `count` (or rejects after `timeoutMs`). */
  waitForOpenRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface ChatBody {
  model?: unknown;
  stream?: unknown;
  messages?: unknown;
  thinking?: { type?: unknown };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? DEFAULT_SIM_API_KEY;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const slowTotalMs = options.slowTotalMs ?? 5000;
  const failedOnce = new Set<string>();
  const requests: RecordedRequest[] = [];
  const openListeners = new Set<() => void>();
  let open = 0;
  let total = 0;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && (path === '/health' || path === '/stats')) {
      return sendJson(res, 200, { status: 'ok', openRequests: open, totalRequests: total });
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      return sendJson(res, 404, { error: { code: '404', message: 'Not found' } });
    }
    open++;
    total++;
    res.on('close', () => {
      open--;
      for (const listener of openListeners) listener();
    });
    handleChat(req, res).catch(() => res.destroy());
  });

  async function handleChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined)
      return sendError(res, { status: 413, code: '1210', message: 'Body too large' });
    if (!isAuthorized(req.headers.authorization, apiKey)) {
      return sendError(res, req.headers.authorization ? badKeyError : missingKeyError);
    }
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      return sendError(res, { status: 400, code: '1214', message: 'Invalid JSON body' });
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return sendError(res, { status: 400, code: '1214', message: 'messages 参数非法' });
    }
    const lastUserText = lastUserMessageText(body.messages);
    const scenario = chooseScenario({
      header: headerValue(req.headers['x-zai-sim-scenario']),
      model: typeof body.model === 'string' ? body.model : undefined,
      lastUserText,
      thinkingEnabled: body.thinking?.type === 'enabled',
    });
    requests.push({ scenario, headers: req.headers, body: body as Record<string, unknown> });
    if (requests.length > 100) requests.shift();

    if (scenario.once) {
      const key = `${scenario.name}|${lastUserText}`;
      if (failedOnce.has(key)) scenario.name = 'normal';
      else failedOnce.add(key);
    }
    if (scenario.params.wait) {
      // Headers withheld: the client sees an open connection and no first byte.
      if (!(await sleepUnlessClosed(res, scenario.params.wait))) return;
    }
    const upstreamError = ERROR_SCENARIOS[scenario.name];
    if (upstreamError) return sendError(res, upstreamError);

    const model = typeof body.model === 'string' ? body.model : 'glm-4.6';
    const plan = planAnswer(scenario, lastUserText, model, messagesLength(body.messages));
    if (body.stream === true) return streamAnswer(res, plan, scenario);
    return completeAnswer(res, plan, scenario);
  }

  function stepMs(scenario: Scenario, chunks: number): number {
    if (scenario.params.ms !== undefined) return scenario.params.ms / Math.max(1, chunks);
    if (scenario.params.delay !== undefined) return scenario.params.delay;
    if (scenario.name === 'slow') return slowTotalMs / Math.max(1, chunks);
    return chunkDelayMs;
  }

  async function streamAnswer(res: ServerResponse, plan: AnswerPlan, scenario: Scenario) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    const closed = new AbortController();
    res.on('close', () => closed.abort());

    if (scenario.params.gap && !(await sleepUnlessClosed(res, scenario.params.gap))) return;
    const frames = plan.frames;
    const step = stepMs(scenario, frames.length);
    const start = performance.now();
    try {
      for (let i = 0; i < frames.length; i++) {
        // Schedule by deadline from the start, so timer overhead never accumulates as drift.
        const wait = start + i * step - performance.now();
        if (wait > 1) await sleep(wait, undefined, { signal: closed.signal });
        if (closed.signal.aborted) return;
        if (scenario.name === 'stall' && i === STALL_AFTER) {
          await new Promise<void>((resolve) =>
            closed.signal.addEventListener('abort', () => resolve()),
          );
          return;
        }
        if (scenario.name === 'drop' && i === Math.floor(frames.length / 2)) {
          // Let what was written reach the client first: a real drop loses the rest, not the past.
          await new Promise<void>((resolve) => res.write('', () => resolve()));
          res.socket?.destroy();
          return;
        }
        if (scenario.name === 'malformed' && i === Math.floor(frames.length / 2)) {
          res.write('data: {"id":"broken","choices":[{"delta":\n\n');
        }
        const frame = frames[i] as string;
        if (!res.write(`data: ${frame}\n\n`)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        }
      }
      if (!closed.signal.aborted) res.end('data: [DONE]\n\n');
    } catch (err) {
      if (!closed.signal.aborted) throw err;
    }
  }

  async function completeAnswer(res: ServerResponse, plan: AnswerPlan, scenario: Scenario) {
    if (scenario.name === 'stall') return; // never answers; the client must time out
    if (scenario.name === 'drop') return void res.socket?.destroy();
    if (scenario.name === 'malformed') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('{"id":"broken","choices":[');
    }
    const wait = stepMs(scenario, plan.frames.length) * plan.frames.length;
    if (wait > 1) await sleep(wait);
    sendJson(res, 200, plan.completion);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}${SIM_BASE_PATH}`,
    port,
    apiKey,
    requests,
    openRequests: () => open,
    totalRequests: () => total,
    waitForOpenRequests(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        if (open <= count) return resolve();
        const timer = setTimeout(() => {
          openListeners.delete(check);
          reject(new Error(`simulator still has ${open} open requests after ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (open > count) return;
          clearTimeout(timer);
          openListeners.delete(check);
          resolve();
        }
        openListeners.add(check);
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const STALL_AFTER = 3;

/** Sleep `ms`, cut short when the client goes away; resolves false if it did. */
async function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return false;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: closed.signal });
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}

interface AnswerPlan {
  /** Serialised `chat.completion.chunk` objects, in order. */
  frames: string[];
  completion: Record<string, unknown>;
}

function planAnswer(
  scenario: Scenario,
  prompt: string,
  model: string,
  promptChars: number,
): AnswerPlan {
  const id = `sim-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunkCount = scenario.params.chunks ?? (scenario.name === 'slow' ? 50 : 30);
  const content =
    scenario.name === 'markdown'
      ? markdownAnswer(scenario.params.size ?? 4000)
      : answerFor(prompt, chunkCount * 2);
  const reasoning = scenario.name === 'reasoning' ? reasoningFor(prompt) : '';
  const finishReason =
    scenario.name === 'sensitive'
      ? 'sensitive'
      : scenario.name === 'length'
        ? 'length'
        : scenario.name === 'network-error'
          ? 'network_error'
          : 'stop';

  const contentPieces =
    scenario.name === 'markdown'
      ? splitIntoChunks(content, scenario.params.chunks ?? Math.ceil(content.length / 40))
      : splitIntoChunks(content, chunkCount);
  const pieces =
    finishReason === 'stop'
      ? contentPieces
      : contentPieces.slice(0, Math.ceil(contentPieces.length / 3));
  const reasoningPieces = reasoning ? splitIntoChunks(reasoning, 10) : [];
  const usage = {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: reasoningPieces.length + pieces.length,
    total_tokens: Math.ceil(promptChars / 4) + reasoningPieces.length + pieces.length,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  const head = `{"id":${JSON.stringify(id)},"created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{"role":"assistant",`;
  const frames = [
    ...reasoningPieces.map((p) => `${head}"reasoning_content":${JSON.stringify(p)}}}]}`),
    ...pieces.map((p) => `${head}"content":${JSON.stringify(p)}}}]}`),
    JSON.stringify({
      id,
      created,
      model,
      choices: [
        { index: 0, finish_reason: finishReason, delta: { role: 'assistant', content: '' } },
      ],
      usage,
      // Z.AI adds top-level fields over time; relays must pass them through.
      content_filter: [{ role: 'assistant', level: finishReason === 'sensitive' ? 1 : 3 }],
    }),
  ];
  const completion = {
    id,
    created,
    model,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        message: {
          role: 'assistant',
          content: pieces.join(''),
          ...(reasoning ? { reasoning_content: reasoning } : {}),
        },
      },
    ],
    usage,
    content_filter: [{ role: 'assistant', level: 3 }],
  };
  return { frames, completion };
}

function lastUserMessageText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      return m.content
        .map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : ''))
        .join(' ');
    }
  }
  return '';
}

function messagesLength(messages: unknown[]): number {
  return JSON.stringify(messages).length;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY_BYTES) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: UpstreamError) {
  const text = errorJson(error);
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...(error.retryAfterSeconds !== undefined
      ? { 'Retry-After': String(error.retryAfterSeconds) }
      : {}),
  });
  res.end(text);
}
