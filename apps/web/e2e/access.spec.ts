import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ERRORS } from '@zai-chat/contract';
import { ChatPage } from './pages/ChatPage';
import { type Server, createAccessKey, startApi, startPreview } from './support/servers';

/**
 * An API with ACCESS_MODE=keys (a key made by its own CLI, kept as a hash in a temp file) and
 * a preview of the built app in front of it.
 */
let api: Server;
let web: Server;
let dir: string;
let key: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = await mkdtemp(join(tmpdir(), 'web-keys-'));
  const keysFile = join(dir, 'keys.json');
  key = await createAccessKey(keysFile, 'e2e');
  api = await startApi({ ACCESS_MODE: 'keys', ACCESS_KEYS_FILE: keysFile });
  web = await startPreview(api.url);
});

test.afterAll(async () => {
  await web?.stop();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const storedKey = (app: ChatPage) =>
  app.page.evaluate(() => localStorage.getItem('zai-chat:access-key'));

test('the app asks for a key, retries the refused message with it, and can forget it', async ({
  page,
}) => {
  const app = new ChatPage(page);
  const sent: (string | undefined)[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/chat') && r.method() === 'POST')
      sent.push(r.headers().authorization);
  });

  // /api/config says keys are on and none is saved: the dialog opens by itself.
  await page.goto(web.url);
  await expect(app.keyDialog).toBeVisible();
  await expect(app.keyDialog).toContainText(ERRORS.unauthorized.message);
  await app.keyDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(app.keyDialog).toBeHidden();

  // Sending without a key: the API's typed 401 opens the dialog while the answer waits.
  await app.send('Hello behind a key');
  await expect(app.keyDialog).toBeVisible();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'streaming');
  await app.keyDialog.getByLabel('Access key').fill('zc_not-a-real-key');
  await app.keyDialog.getByRole('button', { name: 'Save key' }).click();
  // A wrong key gets the 401 again, and the dialog says so.
  await expect(app.keyDialog.getByRole('alert')).toHaveText(
    'That key was not accepted. Check it and enter it again.',
  );
  await app.keyDialog.getByLabel('Access key').fill(key);
  await app.keyDialog.getByRole('button', { name: 'Save key' }).click();
  await expect(app.keyDialog).toBeHidden();

  // The same message, answered once: no duplicate question, no error.
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(app.questions).toHaveCount(1);
  await expect(app.answers).toHaveCount(1);
  await expect(app.content(app.lastAnswer)).toContainText('Hello behind a key');
  expect(sent).toEqual([undefined, 'Bearer zc_not-a-real-key', `Bearer ${key}`]);
  expect(await storedKey(app)).toBe(key);

  // Kept in the browser: after a reload no dialog, and the key goes with every message.
  await page.reload();
  await expect(app.connection).toHaveAttribute('data-state', 'online');
  await app.ask('Still allowed?');
  await expect(app.keyDialog).toHaveCount(0);
  expect(sent.at(-1)).toBe(`Bearer ${key}`);

  // Settings offer to forget it; afterwards a message is refused until a key is entered.
  const settings = await app.openSettings();
  await expect(settings.getByTestId('key-status')).toContainText('An access key is saved');
  await settings.getByRole('button', { name: 'Forget key' }).click();
  await expect(settings.getByTestId('key-status')).toHaveText(
    'No access key is saved in this browser.',
  );
  await expect(settings.getByRole('button', { name: 'Enter key' })).toBeVisible();
  expect(await storedKey(app)).toBeNull();
  await settings.getByRole('button', { name: 'Done' }).click();

  await app.send('And now?');
  await expect(app.keyDialog).toBeVisible();
  await app.keyDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'error');
  await expect(app.lastAnswer.getByRole('alert')).toContainText(ERRORS.unauthorized.message);
  expect(sent.at(-1)).toBeUndefined();
});

test('the key dialog has no axe violations, light and dark, 1280 and 375 px', async ({ page }) => {
  const app = new ChatPage(page);
  for (const theme of ['light', 'dark'] as const) {
    for (const width of [1280, 375]) {
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
      await page.goto(web.url);
      await expect(app.keyDialog).toBeVisible();
      await app.keyDialog.getByLabel('Access key').fill('zc_wrong');
      await app.keyDialog.getByRole('button', { name: 'Save key' }).click();
      await expect(app.keyDialog).toBeHidden();
      // The saved wrong key is refused on the next message: the dialog shows its alert.
      await app.send('Check the dialog');
      await expect(app.keyDialog.getByRole('alert')).toBeVisible();
      const { violations } = await new AxeBuilder({ page }).analyze();
      expect(violations.map((v) => `${theme} ${width}: ${v.id}`)).toEqual([]);
      await page.evaluate(() => localStorage.removeItem('zai-chat:access-key'));
    }
  }
});
