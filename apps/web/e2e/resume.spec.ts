import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { type ChatRequestInput, ERRORS, streamChat } from '@zai-chat/contract';
import { type Simulator, startSimulator } from '@zai-chat/zai-sim';
import { ChatPage, type StoredChat } from './pages/ChatPage';
import { type CutProxy, startCutProxy } from './support/cutProxy';
import { type RedisServer, startRedis } from '@zai-chat/api/test/support/redis-server';
import { type Server, startApi, startPreview } from './support/servers';

/**
 * Resumable answers in the browser, against real API processes with a real `redis-server`
 * (REDIS_URL set) and the simulator as their own upstream, started here so its open requests
 * can be counted: an answer whose upstream request is still open is still being produced.
 * (The default suite's API has no Redis: there a reload still ends an answer as stopped.)
 */
let redis: RedisServer;
let sim: Simulator;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(60_000);
  redis = await startRedis();
  sim = await startSimulator({ chunkDelayMs: 20 });
});

test.afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

const apiEnv = (extra: Record<string, string> = {}) => ({
  REDIS_URL: redis.url,
  SIMULATOR_URL: sim.url,
  SIMULATOR_API_KEY: sim.apiKey,
  ...extra,
});

/** About 9 s, 90 chunks: long enough to reload or lose the network in the middle. */
const LONG = '[sim:slow ms=9000 chunks=90]';

/** The same request answered straight from the API, undisturbed: the text to expect. */
async function undisturbed(apiUrl: string, request: ChatRequestInput): Promise<string> {
  let text = '';
  for await (const chunk of streamChat(request, { baseUrl: apiUrl, resume: false }))
    text += chunk.choices?.[0]?.delta?.content ?? '';
  return text;
}

/** axe-core's default rules (WCAG 2.x A/AA and best practices) on the page as it is. */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({
    id: v.id,
    first: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
}

test.describe('with Redis', () => {
  let api: Server;
  let proxy: CutProxy;
  let web: Server;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    api = await startApi(apiEnv({ INSTANCE_ID: 'api-redis' }));
    // The preview reaches the API through a proxy whose connections a test can cut.
    proxy = await startCutProxy({ host: '127.0.0.1', port: api.port });
    web = await startPreview(proxy.url);
  });

  test.afterAll(async () => {
    await web?.stop();
    await proxy?.stop();
    await api?.stop();
  });

  test('a reload mid-answer resumes it where it was; it completes with exactly the simulator’s text', async ({
    page,
  }) => {
    const app = new ChatPage(page);
    const chatPosts: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/chat') && r.method() === 'POST') chatPosts.push(r.url());
    });
    await app.open(web.url);
    const sent = app.nextChatRequest();
    const headers = page.waitForResponse((r) => r.url().endsWith('/api/chat'));
    await app.send(`${LONG} Keep going through a reload`);
    const expected = undisturbed(api.url, await sent);
    expect((await headers).headers()['x-stream-resumable']).toBe('true');
    // Reload once a save with some of the text and its frame id has reached IndexedDB.
    const saved = await app.storedAnswer(
      (m) => m.status === 'streaming' && m.content.length > 40 && !!m.stream?.lastEventId,
    );
    expect(saved.stream).toMatchObject({ resumable: true, base: '' });

    // Hold the resume until the reloaded page has been looked at.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/chat/streams/*', async (route) => {
      await held;
      await route.continue();
    });
    const resume = page.waitForRequest(
      (r) => r.url().includes('/api/chat/streams/') && r.method() === 'GET',
    );
    await page.reload();
    const answer = app.lastAnswer;
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    await expect(answer).toHaveAttribute('data-reconnecting', 'true');
    await expect(answer.getByTestId('reconnecting')).toHaveText('Reconnecting…');
    expect(await app.textLength(app.content(answer))).toBeGreaterThan(30);
    const request = await resume;
    expect(request.url()).toContain(`/api/chat/streams/${saved.stream!.streamId}`);
    // From the frame saved with the text (a later save may have landed before the unload).
    const from = Number(request.headers()['last-event-id']);
    expect(from).toBeGreaterThanOrEqual(Number(saved.stream!.lastEventId));
    release();

    await expect(answer).toHaveAttribute('data-status', 'done');
    await expect(answer.getByTestId('reconnecting')).toHaveCount(0);
    const final = await app.storedAnswer((m) => m.status === 'done');
    expect(final.content).toBe(await expected);
    expect(final.stream).toBeUndefined();
    // Resumed, not asked again.
    expect(chatPosts).toHaveLength(1);
    await page.unroute('**/api/chat/streams/*');
  });

  test('a lost network mid-answer shows Reconnecting… (axe-clean), and online again the answer completes', async ({
    page,
    context,
  }) => {
    const app = new ChatPage(page);
    await app.open(web.url);
    const sent = app.nextChatRequest();
    await app.send(`${LONG} Keep going through a lost network`);
    const expected = undisturbed(api.url, await sent);
    const answer = app.lastAnswer;
    await app.waitForText(answer, 150);

    // The network goes: new requests fail, and the answer's connection is cut behind the
    // preview's proxy, which leaves the browser's response open and silent: a stalled
    // connection, as a lost network often leaves one. Only the app can end it.
    await context.setOffline(true);
    expect(proxy.cut()).toBeGreaterThan(0);
    await expect(answer).toHaveAttribute('data-reconnecting', 'true');
    await expect(answer.getByTestId('reconnecting')).toBeVisible();
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      expect(await violations(page)).toEqual([]);
    }
    expect(await app.textLength(app.content(answer))).toBeGreaterThan(40);

    await context.setOffline(false);
    await expect(answer).toHaveAttribute('data-status', 'done');
    await expect(answer.getByTestId('reconnecting')).toHaveCount(0);
    const final = await app.storedAnswer((m) => m.status === 'done');
    expect(final.content).toBe(await expected);
  });

  test('Stop and Esc stop the answer at the API: its upstream request ends at once', async ({
    page,
  }) => {
    const app = new ChatPage(page);
    await app.open(web.url);
    for (const how of ['button', 'Esc'] as const) {
      await expect.poll(() => sim.openRequests()).toBe(0);
      const headers = page.waitForResponse((r) => r.url().endsWith('/api/chat'));
      await app.send(`[sim:slow ms=30000 chunks=150] Stop me with the ${how}`);
      const streamId = (await headers).headers()['x-stream-id'];
      const answer = app.lastAnswer;
      await app.waitForText(answer, 30);
      expect(sim.openRequests()).toBe(1);
      const stop = page.waitForResponse(
        (r) =>
          r.url().endsWith(`/api/chat/streams/${streamId}/stop`) && r.request().method() === 'POST',
      );
      if (how === 'button') await app.button('Stop').click();
      else await page.keyboard.press('Escape');
      await expect(answer).toHaveAttribute('data-status', 'stopped');
      await expect(answer.getByText('Stopped', { exact: true })).toBeVisible();
      // The API keeps an answer whose reader left for RESUME_GRACE_MS (30 s): only the
      // explicit stop ends its upstream request this soon.
      await expect.poll(() => sim.openRequests(), { timeout: 10_000 }).toBe(0);
      expect(await (await stop).json()).toEqual({ streamId, stopped: true });
      const kept = await app.content(answer).innerText();
      expect(kept.length).toBeGreaterThan(30);
      const saved = await app.storedAnswer((m) => m.status === 'stopped');
      expect(saved.stream).toBeUndefined();
      await expect(app.content(answer)).toHaveText(kept);
    }
  });

  test('a reload with an unknown stream id says the answer is no longer available, text kept', async ({
    page,
    context,
  }) => {
    const app = new ChatPage(page);
    await app.open(web.url);
    await app.send(`${LONG} Forgotten by the API`);
    const saved = await app.storedAnswer(
      (m) => m.status === 'streaming' && m.content.length > 30 && !!m.stream?.lastEventId,
    );
    await page.close();
    // Not needed any more: stop it at the API, then point the saved answer at an id it never
    // issued (edited in IndexedDB from a same-origin page that does not run the app).
    const stopped = await fetch(`${api.url}/api/chat/streams/${saved.stream!.streamId}/stop`, {
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
    const editor = await context.newPage();
    await editor.goto(`${web.url}/api/config`);
    const content = await editor.evaluate(
      (unknownId) =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('zai-chat');
          open.onerror = () => reject(open.error ?? new Error('IndexedDB could not be opened.'));
          open.onsuccess = () => {
            const tx = open.result.transaction('chats', 'readwrite');
            const all = tx.objectStore('chats').getAll();
            all.onsuccess = () => {
              const [chat] = all.result as StoredChat[];
              const answer = chat!.messages.at(-1)!;
              answer.stream!.streamId = unknownId;
              tx.objectStore('chats').put(chat);
              tx.oncomplete = () => resolve(answer.content);
            };
          };
        }),
      'unknownStreamId0000000000',
    );
    expect(content.length).toBeGreaterThan(30);

    const next = new ChatPage(editor);
    await editor.goto(web.url);
    const answer = next.lastAnswer;
    await expect(answer).toHaveAttribute('data-status', 'error');
    await expect(answer.getByRole('alert')).toContainText(ERRORS.stream_not_found.message);
    const final = await next.storedAnswer((m) => m.status === 'error');
    expect(final).toMatchObject({ content, error: { code: 'stream_not_found' } });
    expect(await next.textLength(next.content(answer))).toBeGreaterThan(30);
  });
});

test.describe('with a short grace period', () => {
  let api: Server;
  let web: Server;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    // Its own key prefix: the same Redis, but none of the other API's streams.
    api = await startApi(
      apiEnv({
        INSTANCE_ID: 'api-short-grace',
        RESUME_GRACE_MS: '500',
        RESUME_RETENTION_MS: '1000',
        REDIS_KEY_PREFIX: 'zc-grace:',
      }),
    );
    web = await startPreview(api.url);
  });

  test.afterAll(async () => {
    await web?.stop();
    await api?.stop();
  });

  test('back after the grace period: the answer is no longer available; its text is kept', async ({
    page,
    context,
  }) => {
    const app = new ChatPage(page);
    await app.open(web.url);
    await expect.poll(() => sim.openRequests()).toBe(0);
    await app.send('[sim:slow ms=60000 chunks=300] Gone while I was away');
    const saved = await app.storedAnswer(
      (m) => m.status === 'streaming' && m.content.length > 30 && !!m.stream?.lastEventId,
    );
    expect(sim.openRequests()).toBe(1);
    await page.close();
    // Nobody reads it: after RESUME_GRACE_MS its upstream request is aborted, then the
    // answer is kept for RESUME_RETENTION_MS, then the API no longer knows it.
    await expect.poll(() => sim.openRequests(), { timeout: 30_000 }).toBe(0);
    await expect
      .poll(
        async () => {
          const res = await fetch(`${api.url}/api/chat/streams/${saved.stream!.streamId}`);
          await res.body?.cancel();
          return res.status;
        },
        { timeout: 30_000 },
      )
      .toBe(404);

    const again = await context.newPage();
    const next = new ChatPage(again);
    await again.goto(web.url);
    const answer = next.lastAnswer;
    await expect(answer).toHaveAttribute('data-status', 'error');
    await expect(answer.getByRole('alert')).toContainText(ERRORS.stream_not_found.message);
    expect(await next.textLength(next.content(answer))).toBeGreaterThan(30);
    const final = await next.storedAnswer((m) => m.status === 'error');
    expect(final.content.length).toBeGreaterThanOrEqual(saved.content.length);
    expect(final.error?.code).toBe('stream_not_found');
  });
});
