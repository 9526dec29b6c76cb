import { DEFAULT_SIM_API_KEY, startSimulator } from './server';

/** Standalone simulator: `pnpm --filter @zai-chat/zai-sim start` (built) or `dev` (from source). */
const port = Number(process.env.SIM_PORT ?? process.env.PORT ?? 4010);
const sim = await startSimulator({
  port,
  host: process.env.SIM_HOST ?? '127.0.0.1',
  apiKey: process.env.SIM_API_KEY ?? DEFAULT_SIM_API_KEY,
  chunkDelayMs: Number(process.env.SIM_CHUNK_DELAY_MS ?? 30),
  slowTotalMs: Number(process.env.SIM_SLOW_TOTAL_MS ?? 5000),
  // Comma-separated models that answer 1312 (overloaded), for model-fallback demos.
  overloadedModels: (process.env.SIM_OVERLOADED_MODELS ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean),
});
console.log(`Z.AI simulator listening: ZAI_BASE_URL=${sim.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
