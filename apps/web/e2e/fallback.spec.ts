import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Health } from '@zai-chat/contract';
import { ChatPage } from './pages/ChatPage';
import { type Server, buildWeb, freePort, startApi, startPreview } from './support/servers';

/**
 * Two real API processes behind one build: `VITE_API_URL=/,http://127.0.0.1:<second>`. The
 * first is the page's own origin (vite preview proxying to API one), the second is another
 * origin that allows the page's by CORS. Each API names itself in X-Instance-Id.
 */
let first: Server;
let second: Server;
let web: Server;
let outDir: string;
let firstPort: number;
let webOrigin: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const secondPort = await freePort();
  outDir = await mkdtemp(join(tmpdir(), 'web-fallback-'));
  await buildWeb(outDir, { VITE_API_URL: `/,http://127.0.0.1:${secondPort}` });
  first = await startApi({ INSTANCE_ID: 'api-one' });
  firstPort = first.port;
  web = await startPreview(first.url, outDir);
  webOrigin = web.url;
  second = await startApi({ INSTANCE_ID: 'api-two', CORS_ORIGINS: webOrigin }, secondPort);
});

test.afterAll(async () => {
  await web?.stop();
  await first?.stop();
  await second?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

test('the first backend answers; stopped, the next message goes to the second; restarted, traffic returns', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const app = new ChatPage(page);
  const chatRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/chat') && r.method() === 'POST') chatRequests.push(r.url());
  });
  const answeredBy = () => app.lastAnswer.getByTestId('answered-by');
  const here = `127.0.0.1:${new URL(webOrigin).port}`;

  await page.goto(webOrigin);
  await expect(app.connection).toHaveAttribute('data-state', 'online');
  await expect(app.connection).toHaveAttribute('data-backend', `answering: ${here}`);
  await app.ask('First question');
  await expect(answeredBy()).toHaveAttribute('data-instance', 'api-one');
  await expect(answeredBy()).toHaveText(`via ${here} · api-one`);

  // Stop the first API mid-session, before the page's next health check can notice: its
  // /health answers are held at the last good one until the next message has gone.
  const lastHealth = (await (await page.request.get(`${webOrigin}/health`)).json()) as Health;
  await page.route(`${webOrigin}/health`, (route) => route.fulfill({ json: lastHealth }));
  await first.stop();
  // The next message tries the first, gets the proxy's 5xx before any chunk, and goes to the
  // second: one request each, one answer, no error.
  await app.ask('Second question');
  await page.unroute(`${webOrigin}/health`);
  await expect(answeredBy()).toHaveAttribute('data-instance', 'api-two');
  await expect(answeredBy()).toHaveText(`via ${second.url.slice(7)} · api-two`);
  await expect(app.questions).toHaveCount(2);
  await expect(app.answers).toHaveCount(2);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(chatRequests.slice(1)).toEqual([`${webOrigin}/api/chat`, `${second.url}/api/chat`]);
  await expect(app.content(app.lastAnswer)).toContainText('Second question');

  // With the real health checks back, the page sees the first down and uses the second (at
  // worst one healthy-interval later, if a held answer marked it up again meanwhile).
  await expect(app.connection).toHaveAttribute(
    'data-backend',
    `answering: ${second.url.slice(7)}`,
    { timeout: 30_000 },
  );
  await expect(app.connection).toHaveAttribute('data-state', 'online');
  const before = chatRequests.length;
  await app.ask('Third question');
  await expect(answeredBy()).toHaveAttribute('data-instance', 'api-two');
  expect(chatRequests.slice(before)).toEqual([`${second.url}/api/chat`]);

  // Restart the first on its port: its health checks see it back, and traffic returns to it.
  first = await startApi({ INSTANCE_ID: 'api-one' }, firstPort);
  await expect(app.connection).toHaveAttribute('data-backend', `answering: ${here}`, {
    timeout: 30_000,
  });
  const beforeFourth = chatRequests.length;
  await app.ask('Fourth question');
  await expect(answeredBy()).toHaveAttribute('data-instance', 'api-one');
  expect(chatRequests.slice(beforeFourth)).toEqual([`${webOrigin}/api/chat`]);
  await expect(app.answers).toHaveCount(4);

  // Stored with each answer: who answered survives a reload.
  await page.reload();
  await expect(app.answers.getByTestId('answered-by')).toHaveText([
    `via ${here} · api-one`,
    `via ${second.url.slice(7)} · api-two`,
    `via ${second.url.slice(7)} · api-two`,
    `via ${here} · api-one`,
  ]);
});
