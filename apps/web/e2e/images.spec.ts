import { readFile } from 'node:fs/promises';
import { type Page, expect, test } from '@playwright/test';
import { type ApiConfig, ERRORS } from '@zai-chat/contract';
import { ChatPage, type ExportedChats } from './pages/ChatPage';
import { png } from './support/png';
import { type Server, startApi, startPreview } from './support/servers';

const BIG = { name: 'big.png', mimeType: 'image/png', buffer: png(3000, 2000) };
const SMALL = { name: 'small.png', mimeType: 'image/png', buffer: png(64, 48) };
/** 100×100 of noise: a small picture in a ~30 KB file, sent untouched (under the keep limit). */
const NOISE = { name: 'noise.png', mimeType: 'image/png', buffer: png(100, 100, 'noise') };

let app: ChatPage;
let config: ApiConfig;
let vision: { id: string; name: string };
let textOnly: { id: string; name: string };
test.beforeEach(async ({ page, request }) => {
  config = (await (await request.get('/api/config')).json()) as ApiConfig;
  const named = (m: ApiConfig['models'][number]) => ({ id: m.id, name: m.name ?? m.id });
  vision = named(config.models.find((m) => m.vision)!);
  textOnly = named(config.models.find((m) => !m.vision)!);
  app = new ChatPage(page);
});

/** Serve the real /api/config with `change` applied (what the UI must follow). */
async function tweakConfig(page: Page, change: (c: ApiConfig) => ApiConfig) {
  await page.route('**/api/config', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: change((await response.json()) as ApiConfig) });
  });
}

/** Width, height and type of an image data URL, decoded by the browser. */
function decode(page: Page, url: string) {
  return page.evaluate(async (u) => {
    const blob = await (await fetch(u)).blob();
    const bitmap = await createImageBitmap(blob);
    return { width: bitmap.width, height: bitmap.height, type: blob.type };
  }, url);
}

type Parts = { type: string; text?: string; image_url?: { url: string } }[];

test('the attach button and the thinking switch follow the model’s capabilities', async ({
  page,
}) => {
  await tweakConfig(page, (c) => ({
    ...c,
    models: [
      ...c.models,
      { id: 'glm-plain', name: 'GLM-Plain', vision: false, reasoning: false, tools: false },
    ],
  }));
  await app.open();
  await app.pickModel(textOnly.name);
  await expect(app.attachButton).toHaveCount(0);
  await app.pickModel(vision.name);
  await expect(app.attachButton).toBeVisible();

  let dialog = await app.openSettings();
  await expect(dialog.getByLabel('Thinking')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await app.pickModel('GLM-Plain');
  await expect(app.attachButton).toHaveCount(0);
  dialog = await app.openSettings();
  await expect(dialog.getByLabel('Thinking')).toHaveCount(0);
  await expect(dialog.getByTestId('no-thinking')).toHaveText(
    'GLM-Plain answers without a thinking phase.',
  );
  await dialog.getByRole('button', { name: 'Done' }).click();
  const sent = app.nextChatRequest();
  await app.ask('No thinking switch for this one');
  expect(await sent).not.toHaveProperty('thinking');
});

test('pick, remove, send: a large image goes as a 2,048 px JPEG, shows in the history, survives a reload', async ({
  page,
}) => {
  await app.open();
  await app.pickModel(vision.name);
  await app.attach(BIG, SMALL);
  const big = app.pending.filter({ hasText: 'big.png' });
  await expect(big).toContainText('2048×1365');
  await expect(big.getByRole('img', { name: 'big.png' })).toBeVisible();
  await app.page.getByRole('button', { name: 'Remove small.png' }).click();
  await expect(app.pending).toHaveCount(1);

  const sent = app.nextChatRequest();
  const answer = await app.ask('What is in this picture?');
  const parts = (await sent).messages.at(-1)!.content as Parts;
  expect(parts.map((p) => p.type)).toEqual(['image_url', 'text']);
  expect(parts[1]?.text).toBe('What is in this picture?');
  const url = parts[0]!.image_url!.url;
  expect(url).toMatch(/^data:image\/jpeg;base64,/);
  expect(await decode(page, url)).toEqual({ width: 2048, height: 1365, type: 'image/jpeg' });
  expect(Buffer.from(url.split(',')[1]!, 'base64').length).toBeLessThanOrEqual(
    config.limits.maxImageBytes,
  );

  // The composer is empty again; the question shows its image; the answer came.
  await expect(app.pending).toHaveCount(0);
  const shown = app.questions.last().getByRole('img', { name: 'big.png' });
  await expect(shown).toBeVisible();
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(app.nav).toContainText('What is in this picture?');

  // Kept in IndexedDB: metadata with the message, the pixels in the image store.
  await expect
    .poll(async () => (await app.storedChats())[0]?.messages[0]?.attachments)
    .toEqual([expect.objectContaining({ name: 'big.png', mime: 'image/jpeg', width: 2048 })]);
  await page.reload();
  const again = app.questions.last().getByRole('img', { name: 'big.png' });
  await expect(again).toBeVisible();
  await expect
    .poll(() => again.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(2048);
});

test('paste and drag-and-drop attach images; a model without vision says why it cannot', async ({
  page,
}) => {
  await app.open();
  const b64 = SMALL.buffer.toString('base64');
  const fileEvent = (kind: 'paste' | 'dragover' | 'drop', name: string) =>
    page.evaluate(
      ({ kind, name, b64 }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/png' }));
        const init = { bubbles: true, cancelable: true };
        const event =
          kind === 'paste'
            ? new ClipboardEvent('paste', { ...init, clipboardData: dt })
            : new DragEvent(kind, { ...init, dataTransfer: dt });
        const target =
          kind === 'paste'
            ? document.getElementById('composer-input')!
            : document.querySelector('main')!;
        target.dispatchEvent(event);
        return event.defaultPrevented;
      },
      { kind, name, b64 },
    );

  // Not a vision model: a drop attaches nothing, says why, and never navigates to the file.
  await app.pickModel(textOnly.name);
  expect(await fileEvent('drop', 'ignored.png')).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'does not read images' })).toContainText(
    `${textOnly.name} does not read images. Pick a vision model`,
  );
  await expect(app.pending).toHaveCount(0);
  expect(await fileEvent('paste', 'ignored.png')).toBe(false);
  await expect(app.pending).toHaveCount(0);

  await app.pickModel(vision.name);
  expect(await fileEvent('paste', 'pasted.png')).toBe(true);
  await expect(app.pending.filter({ hasText: 'pasted.png' })).toHaveAttribute(
    'data-status',
    'ready',
  );
  await fileEvent('dragover', 'dropped.png');
  await expect(page.getByText('Drop images to attach')).toBeVisible();
  await fileEvent('drop', 'dropped.png');
  await expect(page.getByText('Drop images to attach')).toHaveCount(0);
  await expect(app.pending.filter({ hasText: 'dropped.png' })).toHaveAttribute(
    'data-status',
    'ready',
  );

  const sent = app.nextChatRequest();
  await app.ask('Two images, no typing needed?');
  const parts = (await sent).messages.at(-1)!.content as Parts;
  expect(parts.map((p) => p.type)).toEqual(['image_url', 'image_url', 'text']);
  await expect(app.questions.last().getByTestId('message-image')).toHaveCount(2);
});

test('before sending, images over the API’s limits are refused beside the thumbnail, in its words', async ({
  page,
}) => {
  await tweakConfig(page, (c) => ({
    ...c,
    limits: { ...c.limits, maxImageBytes: 16 * 1024, maxImagesPerRequest: 2 },
  }));
  await app.open();
  await app.pickModel(vision.name);
  await app.composer.fill('Describe these');
  await app.attach(NOISE);
  const noise = app.pending.filter({ hasText: 'noise.png' });
  await expect(noise.getByRole('alert')).toHaveText(
    /^This image is \d+ KB; images may be at most 16 KB$/,
  );
  await expect(app.button('Send')).toBeDisabled();
  await page.getByRole('button', { name: 'Remove noise.png' }).click();
  await expect(app.button('Send')).toBeEnabled();

  await app.attach(SMALL, SMALL, SMALL);
  await expect(page.getByTestId('attachments-note')).toHaveText(
    'At most 2 images per request (this one has 3)',
  );
  await expect(app.button('Send')).toBeDisabled();
  await page.getByRole('button', { name: 'Remove small.png' }).first().click();
  await expect(page.getByTestId('attachments-note')).toHaveCount(0);
  const sent = app.nextChatRequest();
  await app.button('Send').click();
  const parts = (await sent).messages.at(-1)!.content as Parts;
  expect(parts.filter((p) => p.type === 'image_url')).toHaveLength(2);
});

test('export and import carry the images with the chat', async ({ page, browser, baseURL }) => {
  await app.open();
  await app.pickModel(vision.name);
  await app.attach(SMALL);
  await app.ask('Keep this picture');
  const download = page.waitForEvent('download');
  await app.button('Export chats', app.nav).click();
  const path = await (await download).path();
  const file = JSON.parse(await readFile(path, 'utf8')) as ExportedChats;
  const attachment = file.chats[0]?.messages[0]?.attachments?.[0];
  expect(attachment).toMatchObject({ name: 'small.png', mime: 'image/png', width: 64 });
  expect(file.images[attachment!.id]).toBe(
    `data:image/png;base64,${SMALL.buffer.toString('base64')}`,
  );

  // Another browser profile (empty IndexedDB) imports the file and shows the image.
  const other = await browser.newContext({ baseURL });
  const fresh = new ChatPage(await other.newPage());
  await fresh.open();
  await fresh.nav.getByLabel('Import chats').setInputFiles(path);
  await expect(
    fresh.page.getByRole('status').filter({ hasText: 'Imported 1 chat.' }),
  ).toBeVisible();
  await fresh.chatTitles.first().click();
  const image = fresh.questions.first().getByRole('img', { name: 'small.png' });
  await expect(image).toBeVisible();
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(64);
  await other.close();
});

test.describe('an API with a lower image limit than the page was told', () => {
  let api: Server;
  let web: Server;
  test.beforeAll(async () => {
    api = await startApi({ MAX_IMAGE_BYTES: '20000' });
    web = await startPreview(api.url);
  });
  test.afterAll(async () => {
    await web?.stop();
    await api?.stop();
  });

  test('its typed image_too_large shows next to the image it names; an edit can drop it', async ({
    page,
  }) => {
    // The page believes 5 MiB (a config from before the limit was lowered).
    await tweakConfig(page, (c) => ({ ...c, limits: { ...c.limits, maxImageBytes: 5 << 20 } }));
    await page.goto(web.url);
    await expect(app.composer).toBeEnabled();
    await app.pickModel(vision.name);
    await app.attach(SMALL, NOISE);
    const response = page.waitForResponse((r) => r.url().endsWith('/api/chat'));
    const answer = await app.ask('Two pictures', 'error');
    expect((await response).status()).toBe(413);
    await expect(answer.getByRole('alert')).toContainText(ERRORS.image_too_large.message);

    const question = app.questions.last();
    const items = question.getByTestId('message-attachment');
    await expect(items).toHaveCount(2);
    await expect(items.nth(0).getByTestId('attachment-issue')).toHaveCount(0);
    await expect(items.nth(1).getByTestId('attachment-issue')).toHaveText(
      /^This image is \d+ KB; images may be at most 20 KB$/,
    );
    // The message is tied to the image for assistive technology too.
    await expect(items.nth(1)).toHaveAccessibleDescription(/images may be at most 20 KB/);

    await question.getByRole('button', { name: 'Edit message' }).click();
    await page.getByRole('button', { name: 'Remove noise.png' }).click();
    const sent = app.nextChatRequest();
    await page.getByRole('button', { name: 'Save & send' }).click();
    await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
    const parts = (await sent).messages.at(-1)!.content as Parts;
    expect(parts.map((p) => p.type)).toEqual(['image_url', 'text']);
    await expect(app.questions.last().getByTestId('message-attachment')).toHaveCount(1);
    await expect(page.getByTestId('attachment-issue')).toHaveCount(0);
  });
});
