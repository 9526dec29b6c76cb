import type { Server } from 'node:http';
import type { Simulator } from '@zai-chat/zai-sim';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { loadEnvFile } from './env-file';
import { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { createUpstreamClient } from './upstream/client';
import { RedisLink } from './redis/link';
import type { ScaleOut } from './scale-out';

/**
 * Process entry: config from the environment, the upstream (Z.AI, or the simulator when no
 * ZAI_API_KEY is set), listen, and drain on SIGTERM/SIGINT.
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
    simulator = await startSimulator({
      chunkDelayMs: Number(process.env.SIM_CHUNK_DELAY_MS ?? 30),
      slowTotalMs: Number(process.env.SIM_SLOW_TOTAL_MS ?? 5000),
    });
    config.upstream.baseUrl = simulator.url;
    config.upstream.apiKey = simulator.apiKey;
  }
  const { baseUrl, apiKey } = config.upstream;
  if (!baseUrl || !apiKey) {
    console.error('Invalid configuration: SIMULATOR_API_KEY: required with SIMULATOR_URL');
    process.exit(1);
  }

  const lifecycle = new Lifecycle();
  // Optional shared state: the API serves without it (degraded) and uses it once it is up.
  const redis = config.redis
    ? new RedisLink({
        url: config.redis.url,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        heartbeatMs: config.streams.heartbeatMs,
        keyPrefix: config.redis.keyPrefix,
        instanceId: config.instanceId,
        logger,
      })
    : undefined;
  redis?.start();
  let scale: ScaleOut | undefined;
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
    metrics: createMetrics({ defaultMetrics: true }),
    redis,
    onScaleOut: (built) => (scale = built),
  });

  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, host: config.host, upstream: config.upstream.kind },
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
