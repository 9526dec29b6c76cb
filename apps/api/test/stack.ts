import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readSseFrames, type SseFrame } from '@zai-chat/contract';
import { type Simulator, type SimulatorOptions, startSimulator } from '@zai-chat/zai-sim';
import type { Express } from 'express';
import type { Test } from 'supertest';
import { createApp } from '../src/app';
import { type Config, loadConfig } from '../src/config';
import { Lifecycle } from '../src/lifecycle';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { startMetricsServer } from '../src/metrics-server';
import { createUpstreamClient } from '../src/upstream/client';
import { type RedisLink, startRedisLink } from '../src/redis/link';
import type { ScaleOut } from '../src/scale-out';

export interface Stack {
  sim: Simulator;
  config: Config;
  app: Express;
  lifecycle: Lifecycle;
  metrics: ReturnType<typeof createMetrics>;
  /** With REDIS_URL in `env`: this app's link (started), closed by `close()`. */
  redis: RedisLink | undefined;
  /** The stream hub, counter and cache the app was built with. */
  scale: ScaleOut;
  /** Listen on a real loopback port; returns the API's origin. */
  listen(): Promise<string>;
  /** The private metrics port (METRICS_PORT in production) on loopback; returns its origin. */
  listenMetrics(): Promise<string>;
  close(): Promise<void>;
}

/** The simulator plus an app built exactly as server.ts builds it, from an env-style config. */
export async function startStack(
  env: Record<string, string> = {},
  simOptions: SimulatorOptions = {},
  logStream?: NodeJS.WritableStream & { write(msg: string): void },
): Promise<Stack> {
  const sim = await startSimulator(simOptions);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SIMULATOR_URL: sim.url,
    SIMULATOR_API_KEY: sim.apiKey,
    RATE_LIMIT_MAX: '100000',
    // Budgets and per-identity stream caps have tests of their own; elsewhere they would
    // only make unrelated tests depend on how many requests ran before them.
    TOKEN_BUDGET_PER_DAY: '0',
    MAX_STREAMS_PER_IDENTITY: '100000',
    UPSTREAM_RETRY_BASE_MS: '10',
    UPSTREAM_RETRY_MAX_MS: '50',
    ...env,
  });
  const lifecycle = new Lifecycle();
  const metrics = createMetrics();
  // Captured logs go through the production logger (redaction included), at trace level.
  const logger = logStream ? createLogger('trace', logStream) : createLogger(config.logLevel);
  const redis = startRedisLink(config, logger);
  let scale!: ScaleOut;
  const app = createApp(config, {
    upstream: createUpstreamClient({
      kind: config.upstream.kind,
      baseUrl: config.upstream.baseUrl!,
      apiKey: config.upstream.apiKey!,
      auth: config.upstream.auth,
      firstByteTimeoutMs: config.timeouts.firstByteMs,
    }),
    logger,
    lifecycle,
    metrics,
    redis,
    onScaleOut: (built) => (scale = built),
  });
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  return {
    sim,
    config,
    app,
    lifecycle,
    metrics,
    redis,
    scale,
    async listen() {
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server!.once('listening', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async listenMetrics() {
      metricsServer = await startMetricsServer(metrics, {
        port: 0,
        host: '127.0.0.1',
        token: config.metrics.token,
      });
      return `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
    },
    async close() {
      if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
      scale.streams.close();
      await redis?.close();
      await sim.close();
    },
  };
}

export const userMessage = (content: string) => ({ messages: [{ role: 'user', content }] });

/** Split a complete SSE body into frames with the contract's own parser. */
export async function framesOf(text: string): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  for await (const frame of readSseFrames(new Response(text).body!)) frames.push(frame);
  return frames;
}

/** supertest parser that keeps an event stream as text. */
export const collectText = ((
  res: NodeJS.ReadableStream,
  done: (err: Error | null, body: string) => void,
) => {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => done(null, text));
}) as unknown as Parameters<Test['parse']>[0];
