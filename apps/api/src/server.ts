import { type Server, createServer } from 'node:http';
import type { Simulator } from '@zai-chat/zai-sim';
import { createAccess } from './access';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { loadEnvFile } from './env-file';
import { answerClientErrors } from './http/client-errors';
import { capsWithinFileLimit, guardConnections, openFileLimit } from './http/connection-guard';
import { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { startMetricsServer } from './metrics-server';
import { createUpstreamClient } from './upstream/client';
import { startRedisLink } from './redis/link';
import type { ScaleOut } from './scale-out';

/**
 * Process entry: config from the environment, the upstream (Z.AI, or the simulator when no
 * ZAI_API_KEY is set), the public server with its connection caps and timeouts, the private
 * metrics port, and a drain on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    loadEnvFile();
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);

  let simulator: Simulator | undefined;
  if (config.upstream.kind === 'simulator' && !config.upstream.baseUrl) {
    // Loaded only when used: a production API talking to Z.AI never carries the simulator.
    const { startSimulator } = await import('@zai-chat/zai-sim');
    simulator = await startSimulator(config.simulator);
    config.upstream.baseUrl = simulator.url;
    config.upstream.apiKey = simulator.apiKey;
  }
  const { baseUrl, apiKey } = config.upstream;
  if (!baseUrl || !apiKey) {
    console.error('Invalid configuration: SIMULATOR_API_KEY: required with SIMULATOR_URL');
    process.exit(1);
  }

  const fileLimit = openFileLimit();
  const caps = capsWithinFileLimit(config.caps, fileLimit);
  if (
    caps.maxConnections < config.caps.maxConnections ||
    caps.maxStreams < config.caps.maxStreams
  ) {
    logger.warn(
      { fileLimit, ...caps },
      'caps lowered to fit the open-file limit (raise `ulimit -n` for more)',
    );
    config.caps = { ...config.caps, ...caps };
  }

  const lifecycle = new Lifecycle();
  const metrics = createMetrics({ defaultMetrics: true });
  // Optional shared state: the API serves without it (degraded) and uses it once it is up.
  const redis = startRedisLink(config, logger);
  let scale: ScaleOut | undefined;
  const access = createAccess(config, { logger, metrics, redis });
  const app = createApp(config, {
    upstream: createUpstreamClient({
      kind: config.upstream.kind,
      baseUrl,
      apiKey,
      auth: config.upstream.auth,
      firstByteTimeoutMs: config.timeouts.firstByteMs,
    }),
    logger,
    lifecycle,
    metrics,
    access,
    redis,
    onScaleOut: (built) => (scale = built),
  });

  const server: Server = createServer(
    {
      requestTimeout: config.caps.requestTimeoutMs,
      headersTimeout: config.caps.headersTimeoutMs,
      // Node checks those timeouts on this interval (30 s by default): a slow sender would
      // otherwise be cut up to 30 s late.
      connectionsCheckingInterval: Math.min(1000, config.caps.headersTimeoutMs / 2),
    },
    app,
  );
  guardConnections(server, {
    max: config.caps.maxConnections,
    onCapHit: () => access.reporter.hit('connections'),
  });
  answerClientErrors(server, () => access.reporter.hit('slow_requests'));
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const metricsServer = config.metricsEnabled
    ? await startMetricsServer(metrics, config.metrics)
    : undefined;
  const metricsAddress = metricsServer?.address();
  logger.info(
    {
      port,
      host: config.host,
      upstream: config.upstream.kind,
      access: config.access.mode,
      metricsPort:
        typeof metricsAddress === 'object' && metricsAddress ? metricsAddress.port : undefined,
    },
    config.upstream.kind === 'simulator'
      ? `API on http://${config.host}:${port} using the Z.AI SIMULATOR (no ZAI_API_KEY set)`
      : `API on http://${config.host}:${port} using Z.AI at ${baseUrl}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: lifecycle.streams.size }, 'draining');
    // Stop accepting connections; idle keep-alive sockets close now, busy ones after their response.
    server.close();
    server.closeIdleConnections();
    const outcome = await lifecycle.drain(config.shutdownDrainMs);
    logger.info(outcome, 'drained');
    server.closeAllConnections();
    metricsServer?.close();
    access.close();
    scale?.streams.close();
    // After the drain: answers produced here were stored for their readers before this.
    await redis?.close();
    await simulator?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

void main();
