import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAuth } from './auth';
import { businessError, zaiRequestId } from './business-codes';
import { ERROR_SCENARIOS, type UpstreamError } from './errors';
import { planAnswer, type Answer } from './plan';
import { renderCompletion, renderStream, type ChunkMeta, type FrameStyle } from './render';
import { automaticScenario, chooseScenario, type Scenario } from './scenarios';
import {
  drained,
  headerValue,
  readBody,
  sendError,
  sendJson,
  sleepUnlessClosed,
  writeSplit,
} from './http-io';
import { lastToolResult, lastUserMessageText, messagesLength } from './request';
import { splitWrites } from './split';
import { readTools } from './tools';
import { validateChatBody } from './validation';

export const SIM_BASE_PATH = '/api/paas/v4';
/** Shaped like a real key (`<id>.<secret>`) so JWT mode can be exercised too. */
export const DEFAULT_SIM_API_KEY = 'sim-key-id.sim-key-secret';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Delay between chunks of ordinary scenarios (ms). */
  chunkDelayMs?: number;
  /** Total duration of the `slow` scenario (ms), spread over its chunks by deadline. */
  slowTotalMs?: number;
  /** Models that answer every chat request with 1312 (overloaded, try another model). */
  overloadedModels?: readonly string[];
}

export interface RecordedRequest {
  scenario: Scenario;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The `request_id` the answer carries (the body's, or a generated one). */
  requestId: string;
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
  /** Replace the models that answer 1312 (see `SimulatorOptions.overloadedModels`). */
  setOverloadedModels(models: readonly string[]): void;
  close(): Promise<void>;
}

interface ChatBody {
  model?: unknown;
  stream?: unknown;
  messages?: unknown[];
  thinking?: { type?: unknown } | null;
  max_tokens?: unknown;
  request_id?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  tools?: unknown;
  tool_choice?: unknown;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? DEFAULT_SIM_API_KEY;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const slowTotalMs = options.slowTotalMs ?? 5000;
  const failedOnce = new Set<string>();
  let overloaded = new Set(options.overloadedModels ?? []);
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
    const auth = checkAuth(req.headers.authorization, apiKey);
    if (!auth.ok) return sendError(res, auth.error);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return sendError(res, { status: 400, code: '1214', message: 'Invalid JSON body' });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return sendError(res, { status: 400, code: '1214', message: 'Invalid JSON body' });
    }
    const body = parsed as ChatBody;
    const invalid = validateChatBody(body as Record<string, unknown>);
    if (invalid) return sendError(res, invalid);
    const messages = body.messages as unknown[];

    const model = typeof body.model === 'string' ? body.model : 'glm-4.6';
    const requestId =
      typeof body.request_id === 'string' && body.request_id ? body.request_id : zaiRequestId();
    const tools = readTools(body);
    const lastUserText = lastUserMessageText(messages);
    const implied = {
      thinkingEnabled: body.thinking?.type === 'enabled',
      wantsTools: tools.wantsTools,
      wantsWebSearch: tools.wantsWebSearch,
    };
    let scenario = chooseScenario({
      header: headerValue(req.headers['x-zai-sim-scenario']),
      model: typeof body.model === 'string' ? body.model : undefined,
      lastUserText,
      ...implied,
    });
    if (scenario.once) {
      // Seen before: answer as if nothing had been asked for, so the client's retry succeeds.
      const key = `${scenario.name}|${lastUserText}`;
      if (failedOnce.has(key)) scenario = { ...scenario, name: automaticScenario(implied) };
      else failedOnce.add(key);
    }
    if (overloaded.has(model)) scenario = { name: 'error', once: false, params: { code: 1312 } };
    requests.push({
      scenario,
      headers: req.headers,
      body: body as Record<string, unknown>,
      requestId,
    });
    if (requests.length > 100) requests.shift();
    if (scenario.params.wait) {
      // Headers withheld: the client sees an open connection and no first byte.
      if (!(await sleepUnlessClosed(res, scenario.params.wait))) return;
    }
    const upstreamError = errorFor(scenario, model, requestId);
    if (upstreamError) return sendError(res, upstreamError);

    const answer = planAnswer(scenario, {
      prompt: lastUserText,
      promptChars: messagesLength(messages, raw.length),
      thinking: implied.thinkingEnabled,
      tools,
      toolResult: lastToolResult(messages),
      maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    });
    const now = Date.now();
    const meta: ChunkMeta = { id: `sim-${randomUUID()}`, requestId, created: now / 1000, model };
    const style: FrameStyle = scenario.name === 'nulls' ? 'nulls' : 'zai';
    if (body.stream === true) {
      const frames = renderStream(answer, meta, {
        style,
        includeUsage: body.stream_options?.include_usage === true,
      });
      return streamAnswer(res, frames, scenario);
    }
    return completeAnswer(res, answer, renderCompletion(answer, meta, { style }), scenario);
  }

  /** The error a scenario answers with, if it is an error scenario. */
  function errorFor(scenario: Scenario, model: string, requestId: string) {
    if (scenario.name !== 'error') return ERROR_SCENARIOS[scenario.name];
    const { code = 1214, status, retry, reset } = scenario.params;
    const error: UpstreamError = businessError(String(code), {
      model,
      avoidModels: [...overloaded],
      requestId,
      resetInSeconds: reset,
    });
    if (status !== undefined && status >= 200 && status <= 599) error.status = status;
    if (retry !== undefined) error.retryAfterSeconds = retry;
    return error;
  }

  function stepMs(scenario: Scenario, chunks: number): number {
    if (scenario.params.ms !== undefined) return scenario.params.ms / Math.max(1, chunks);
    if (scenario.params.delay !== undefined) return scenario.params.delay;
    if (scenario.name === 'slow') return slowTotalMs / Math.max(1, chunks);
    return chunkDelayMs;
  }

  async function streamAnswer(res: ServerResponse, frames: string[], scenario: Scenario) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    const closed = new AbortController();
    res.on('close', () => closed.abort());

    if (scenario.params.gap && !(await sleepUnlessClosed(res, scenario.params.gap))) return;
    if (scenario.name === 'split') {
      const sse = [...frames.map((f) => `data: ${f}\n\n`), 'data: [DONE]\n\n'];
      return writeSplit(res, splitWrites(sse), closed.signal);
    }
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
        if (!res.write(`data: ${frames[i] as string}\n\n`)) await drained(res);
      }
      if (!closed.signal.aborted) res.end('data: [DONE]\n\n');
    } catch (err) {
      if (!closed.signal.aborted) throw err;
    }
  }

  async function completeAnswer(
    res: ServerResponse,
    answer: Answer,
    completion: Record<string, unknown>,
    scenario: Scenario,
  ) {
    if (scenario.name === 'stall') return; // never answers; the client must time out
    if (scenario.name === 'drop') return void res.socket?.destroy();
    if (scenario.name === 'malformed') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('{"id":"broken","choices":[');
    }
    const chunks = answer.pieces.length + 1;
    const wait = stepMs(scenario, chunks) * chunks;
    if (wait > 1) await sleep(wait);
    if (scenario.name !== 'split') return sendJson(res, 200, completion);
    const text = JSON.stringify(completion);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    await writeSplit(res, splitWrites([text]), closed.signal);
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
    setOverloadedModels(models) {
      overloaded = new Set(models);
    },
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
