import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  ChatApiError,
  DONE_SENTINEL,
  ErrorBody,
  Health,
  parseChatFrame,
  readSseFrames,
  streamChat,
} from '@zai-chat/contract';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/processes';
import { repoPath } from './support/repo';
import { type Stack, startStack } from './support/stack';
import { findChromium } from './support/tools';

/**
 * The staging topology through nginx, as a browser and the typed client meet it: static SPA
 * with its headers and caching, unbuffered streaming, nginx's own limits, and the API behind.
 */

let stack: Stack;
let browser: Browser | undefined;
const webDist = repoPath('apps/web/dist/');

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const web = (path: string) => `${stack.webUrl}${path}`;

function expectStaticSecurityHeaders(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('permissions-policy')).toContain('camera=()');
}

describe('static SPA through nginx', () => {
  it('serves index.html at / with security headers and no-cache', async () => {
    const response = await fetch(web('/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe(await readFile(`${webDist}index.html`, 'utf8'));
    expectStaticSecurityHeaders(response.headers);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers client-side routes such as /chats/xyz with index.html', async () => {
    const response = await fetch(web('/chats/xyz'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe(await readFile(`${webDist}index.html`, 'utf8'));
    expectStaticSecurityHeaders(response.headers);
  });

  it('serves hashed assets immutable and gzipped, and 404s a missing one instead of the SPA', async () => {
    // The entry script index.html loads: the asset every visit fetches first.
    const indexHtml = await readFile(`${webDist}index.html`, 'utf8');
    const script = /<script[^>]+src="\/assets\/([^"]+\.js)"/.exec(indexHtml)?.[1];
    expect(script, 'index.html loads no /assets/*.js').toBeDefined();
    const onDisk = await readFile(`${webDist}assets/${script}`);
    expect(onDisk.length, 'entry script is above gzip_min_length').toBeGreaterThan(1024);

    const gzipped = await fetch(web(`/assets/${script}`), {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(gzipped.headers.get('content-type')).toMatch(/javascript/);
    expectStaticSecurityHeaders(gzipped.headers);
    // fetch decompresses: the bytes must be the file's.
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(onDisk)).toBe(true);

    const plain = await fetch(web(`/assets/${script}`), {
      headers: { 'Accept-Encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBe(onDisk.length);
    await plain.arrayBuffer();

    const missing = await fetch(web('/assets/index-doesnotexist.js'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<div id="root">');
  });

  it('answers /healthz from nginx itself, which the image healthcheck script reads', async () => {
    const response = await fetch(web('/healthz'));
    expect(response.status).toBe(200);
    expect((await response.text()).trim()).toBe('ok');

    // deploy/nginx/healthcheck.sh as the container runs it: healthy here, unhealthy on a port
    // where nothing listens.
    const check = (listen: string) =>
      spawnSync('bash', [repoPath('deploy/nginx/healthcheck.sh')], {
        env: { PATH: process.env.PATH, NGINX_LISTEN: listen },
        timeout: 10_000,
      }).status;
    expect(check(new URL(stack.webUrl).host)).toBe(0);
    expect(check(`127.0.0.1:${await freePort()}`)).toBe(1);
  });

  it('loads in Chromium without console errors and renders a heading', async () => {
    browser = await chromium.launch({
      executablePath: findChromium(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`requestfailed: ${request.url()} ${request.failure()?.errorText}`),
    );

    const response = await page.goto(web('/'), { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const heading = page.getByRole('heading').first();
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
    expect((await heading.textContent())?.trim()).toBeTruthy();
    // Let effects that run after the first render (requests, storage) report their errors too.
    await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('API through nginx', () => {
  it('proxies /health and forwards the request id', async () => {
    const response = await fetch(web('/health'), { headers: { 'X-Request-Id': 'smoke-health-1' } });
    expect(response.status).toBe(200);
    const health = Health.parse(await response.json());
    expect(health.upstream).toBe('simulator');
    expect(health.status).toBe('ok');
    expect(response.headers.get('x-request-id')).toBe('smoke-health-1');

    // Without one, nginx's own $request_id (32 hex digits) reaches the API.
    const generated = await fetch(web('/health'));
    await generated.arrayBuffer();
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('streams chat frames as they are produced: no buffering, no gzip, ends with [DONE]', async () => {
    const start = performance.now();
    const response = await fetch(web('/api/chat'), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        'Accept-Encoding': 'gzip',
      },
      body: JSON.stringify({
        messages: [{ role: 'user', content: '[sim:slow ms=2000 chunks=20] stream me' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.body).not.toBeNull();

    let firstDataMs: number | undefined;
    const frames: string[] = [];
    for await (const frame of readSseFrames(response.body!)) {
      firstDataMs ??= performance.now() - start;
      frames.push(frame.data);
    }
    const totalMs = performance.now() - start;

    expect(frames.at(-1)).toBe(DONE_SENTINEL);
    const chunks = frames.slice(0, -1).map((data) => parseChatFrame({ event: undefined, data }));
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    expect(chunks.every((event) => event.type === 'chunk')).toBe(true);
    // The simulator spreads the answer over ~2 s; a buffering proxy would deliver it all at the end.
    expect(totalMs).toBeGreaterThan(1_500);
    expect(firstDataMs).toBeDefined();
    expect(firstDataMs!).toBeLessThan(totalMs * 0.4);
  });

  it('works with the typed client from @zai-chat/contract', async () => {
    let text = '';
    for await (const chunk of streamChat(
      { messages: [{ role: 'user', content: 'Hello through nginx' }] },
      { baseUrl: stack.webUrl },
    )) {
      text += chunk.choices?.[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
  });

  it('a forged X-Forwarded-For buys no extra requests, through nginx or straight to the API', async () => {
    // Each chat request spends one from the same client's budget, whatever it claims to be:
    // the API believes only nginx's X-Forwarded-For (TRUST_PROXY=127.0.0.1), and nginx
    // appends the real client address, which is what counts. The client connects from
    // 127.0.0.2, so it is not mistaken for the proxy.
    const remaining = (origin: string, forged: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${origin}/api/chat`, {
          method: 'POST',
          agent: false,
          localAddress: '127.0.0.2',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forged },
        });
        req.on('response', (res) => {
          res.resume();
          const header = String(res.headers.ratelimit ?? '');
          res.on('end', () => resolve(Number(/remaining=(\d+)/.exec(header)?.[1])));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: false }));
      });
    for (const origin of [stack.webUrl, stack.apiUrl]) {
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) seen.push(await remaining(origin, `198.51.100.${i + 1}`));
      expect(seen.every(Number.isFinite)).toBe(true);
      expect(seen.slice(1).map((n, i) => seen[i]! - n)).toEqual([1, 1, 1]);
    }
  });

  it('refuses a 10 MB body with 413 in the contract ErrorBody shape', async () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'a'.repeat(10 * 1024 * 1024) }],
    });
    const response = await fetch(web('/api/chat'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'smoke-too-large-1' },
      body,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const error = ErrorBody.parse(await response.json());
    expect(error.error.code).toBe('payload_too_large');
    expect(error.error.requestId).toBe('smoke-too-large-1');

    // The typed client turns it into a typed error, as the web app would see it.
    const attempt = (async () => {
      for await (const _chunk of streamChat(
        { messages: [{ role: 'user', content: 'b'.repeat(9 * 1024 * 1024) }] },
        { baseUrl: stack.webUrl },
      )) {
        // No chunk is expected.
      }
    })();
    await expect(attempt).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof ChatApiError && err.code === 'payload_too_large' && err.status === 413,
    );
  });

  // Last: it stops the API.
  it('answers in the ErrorBody shape when the API is down', async () => {
    const api = stack.processes.find((proc) => proc.name === 'api');
    await api!.stop();
    const response = await fetch(web('/api/chat'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'anyone there?' }] }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const error = ErrorBody.parse(await response.json());
    expect(error.error.code).toBe('shutting_down');
    expect(error.error.retryAfter).toBe(1);
  });
});
