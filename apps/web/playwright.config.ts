import { defineConfig } from '@playwright/test';

// The built app (vite preview) in front of the built API, which runs the simulator in-process
// because no ZAI_API_KEY is set: the same path a new user takes, on ports tests own.
const API_PORT = Number(process.env.E2E_API_PORT ?? 8787);
const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 4174);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const API_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  ENV_FILE: 'none',
  PORT: String(API_PORT),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '100000',
  TOKEN_BUDGET_PER_DAY: '0',
  SIM_CHUNK_DELAY_MS: '20',
  // An ephemeral metrics port, so a second API beside this one never clashes on 9464.
  METRICS_PORT: '0',
};

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 60_000,
  expect: {
    timeout: 15_000,
    // Screenshots: no animations, no caret, and a little room for anti-aliasing differences.
    toHaveScreenshot: { animations: 'disabled', caret: 'hide', maxDiffPixelRatio: 0.01 },
  },
  // Baselines are committed; one set for the Debian Chromium every machine here runs.
  snapshotPathTemplate: '{testDir}/__screenshots__/{testFilePath}/{arg}{ext}',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${WEB_PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      // `env -i`: the API sees only what is named here, never the developer's shell or a
      // `.env` (ENV_FILE=none), which may hold a real key.
      command: `env -i ${Object.entries(API_ENV)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')} ${JSON.stringify(process.execPath)} ../api/dist/server.js`,
      url: `http://127.0.0.1:${API_PORT}/health`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node ./node_modules/vite/bin/vite.js preview --port ${WEB_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${WEB_PORT}`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { API_PROXY_TARGET: `http://127.0.0.1:${API_PORT}` },
    },
  ],
});
