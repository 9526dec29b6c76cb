import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { expect, test } from '@playwright/test';
import { type ApiConfig, type ChatRequestInput, ERRORS } from '@zai-chat/contract';
import { ChatPage } from './pages/ChatPage';

let app: ChatPage;
let config: ApiConfig;
test.beforeEach(async ({ page, request }) => {
  config = (await (await request.get('/api/config')).json()) as ApiConfig;
  app = new ChatPage(page);
});

test('the model picker lists the API’s models by name; the default sends no model', async ({
  page,
}) => {
  await app.open();
  const names = await app.modelPicker.locator('option').allTextContents();
  const defaultName = config.models.find((m) => m.id === config.defaultModel)?.name;
  expect(names[0]).toBe(defaultName);
  expect(names).toEqual(expect.arrayContaining(config.models.map((m) => m.name ?? m.id)));

  let sent = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
  await app.ask('Default model please');
  expect((await sent).postDataJSON()).not.toHaveProperty('model');

  const other = config.models.find((m) => m.id !== config.defaultModel)!;
  await app.modelPicker.selectOption({ label: other.name ?? other.id });
  sent = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
  const answer = await app.ask('Which model answers?');
  expect(((await sent).postDataJSON() as ChatRequestInput).model).toBe(other.id);
  await expect(answer).toContainText(other.id);

  // Kept with the chat across a reload.
  await page.reload();
  await expect(app.modelPicker).toHaveValue(other.id);
});

test('max tokens is bounded by the API’s ceiling in settings', async () => {
  await app.open();
  const dialog = await app.openSettings();
  const field = dialog.getByLabel('Max tokens');
  await expect(field).toHaveAttribute('max', String(config.limits.maxTokensCeiling));
  await expect(dialog).toContainText(config.limits.maxTokensCeiling.toLocaleString('en'));
  await field.fill(String(config.limits.maxTokensCeiling * 4));
  await field.blur();
  await expect(field).toHaveValue(String(config.limits.maxTokensCeiling));
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  const sent = app.page.waitForRequest((r) => r.url().endsWith('/api/chat'));
  await app.ask('Long answer allowed?');
  expect(((await sent).postDataJSON() as ChatRequestInput).max_tokens).toBe(
    config.limits.maxTokensCeiling,
  );
});

test('a chat stored with max_tokens above the ceiling is clamped before sending, not refused', async ({
  page,
}) => {
  const over = config.limits.maxTokensCeiling * 4;
  await page.addInitScript((max_tokens) => {
    localStorage.setItem(
      'zai-chat:default-settings',
      JSON.stringify({
        model: '',
        systemPrompt: '',
        temperature: 0.6,
        top_p: 0.95,
        max_tokens,
        thinking: false,
      }),
    );
  }, over);
  await app.open();
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
  const answer = await app.ask('Does this go through?');
  expect(((await sent).postDataJSON() as ChatRequestInput).max_tokens).toBe(
    config.limits.maxTokensCeiling,
  );
  await expect(answer.getByRole('alert')).toHaveCount(0);
});

test.describe('with the API down', () => {
  let preview: ChildProcess;
  let base: string;
  test.beforeAll(async () => {
    // The same built app behind vite preview, proxying to a port nothing listens on.
    const [webPort, deadPort] = [await freePort(), await freePort()];
    preview = spawn(
      process.execPath,
      [
        './node_modules/vite/bin/vite.js',
        'preview',
        '--port',
        String(webPort),
        '--strictPort',
        '--host',
        '127.0.0.1',
      ],
      {
        env: { ...process.env, API_PROXY_TARGET: `http://127.0.0.1:${deadPort}` },
        stdio: 'ignore',
      },
    );
    base = `http://127.0.0.1:${webPort}`;
    await expect
      .poll(
        () =>
          fetch(base).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 20_000 },
      )
      .toBe(200);
  });
  test.afterAll(async () => {
    preview.kill();
    if (preview.exitCode === null) await once(preview, 'exit');
  });

  test('sending says the service cannot be reached, not that Z.AI stopped part way', async ({
    page,
  }) => {
    await page.goto(base);
    await expect(app.connection).toHaveAttribute('data-state', 'offline');
    await expect(page.getByRole('status').filter({ hasText: 'cannot be reached' })).toBeVisible();
    const answer = await app.ask('Anyone there?', 'error');
    await expect(answer.getByRole('alert')).toContainText(ERRORS.api_unreachable.message);
    await expect(answer.getByRole('alert')).not.toContainText(ERRORS.upstream_error.message);
    // Without the API's config the picker still offers "the API's default".
    await expect(app.modelPicker).toHaveValue('');
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
