import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import type { ChatRequestInput } from '@zai-chat/contract';
import { ChatPage, type ExportedChats } from './pages/ChatPage';

let app: ChatPage;
test.beforeEach(async ({ page }) => {
  app = new ChatPage(page);
  await app.open();
});

test('chats: new, newest first, rename, delete with undo', async ({ page }) => {
  await app.ask('Alpha question');
  await app.button('New chat', app.nav).click();
  await app.ask('Beta question');
  await expect(app.chatTitles).toHaveText(['Beta question', 'Alpha question']);

  await app.renameChat('Beta question', 'Renamed beta');
  await expect(app.chatTitles.first()).toHaveText('Renamed beta');

  await app.nav.getByRole('button', { name: 'Delete chat “Renamed beta”' }).click();
  await expect(app.chatTitles).toHaveText(['Alpha question']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(app.chatTitles).toHaveText(['Renamed beta', 'Alpha question']);

  await page.reload();
  await expect(app.chatTitles).toHaveText(['Renamed beta', 'Alpha question']);
  await app.chatTitles.nth(1).click();
  await expect(app.content(app.questions.first())).toHaveText('Alpha question');
});

test('edit a question resends it and replaces what followed', async ({ page }) => {
  await app.ask('Original question');
  await app.ask('Follow-up');
  await expect(app.answers).toHaveCount(2);

  await app.questions.first().getByRole('button', { name: 'Edit message' }).click();
  await page.getByRole('textbox', { name: 'Edit message' }).fill('Edited question');
  await page.getByRole('button', { name: 'Save & send' }).click();
  await expect(app.answers).toHaveCount(1);
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(app.content(app.lastAnswer)).toContainText('Edited question');
  await expect(app.content(app.lastAnswer)).not.toContainText('Original question');
  await expect(app.questions).toHaveCount(1);
});

test('regenerate replaces the answer with a new one', async () => {
  // The simulator answers a prompt the same way each time, so start from a stopped partial
  // answer: a regenerated one is then a different, complete text in its place.
  await app.send('[sim:slow ms=4000 chunks=40] Tell me something');
  await app.waitForText(app.lastAnswer, 20);
  await app.button('Stop').click();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  const before = await app.content(app.lastAnswer).innerText();

  await app.lastAnswer.getByRole('button', { name: 'Regenerate' }).click();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'streaming');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(app.answers).toHaveCount(1);
  const after = await app.content(app.lastAnswer).innerText();
  expect(after).not.toBe(before);
  expect(after.startsWith(before.slice(0, 10))).toBe(true);
  expect(after.length).toBeGreaterThan(before.length);
  await expect(app.lastAnswer.getByText('Stopped', { exact: true })).toHaveCount(0);
});

test('settings are kept per chat and become the default for new chats', async ({ page }) => {
  let dialog = await app.openSettings();
  await dialog.getByLabel('Thinking').check();
  await dialog.getByLabel('System prompt').fill('Be brief.');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  const sent = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
  const answer = await app.ask('Think about it');
  // Thinking on: the simulator reasons first.
  await expect(answer.getByTestId('thinking')).toBeVisible();
  expect(((await sent).postDataJSON() as ChatRequestInput).messages[0]).toEqual({
    role: 'system',
    content: 'Be brief.',
  });

  await page.reload();
  await app.button('New chat', app.nav).click();
  dialog = await app.openSettings();
  await expect(dialog.getByLabel('Thinking')).toBeChecked();
  await expect(dialog.getByLabel('System prompt')).toHaveValue('Be brief.');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toBeFocused();
});

test('export and import all chats as JSON', async ({ page }) => {
  await app.ask('Keep me safe');
  const downloadPromise = page.waitForEvent('download');
  await app.button('Export chats').click();
  const file = await (await downloadPromise).path();
  const exported = JSON.parse(await readFile(file, 'utf8')) as ExportedChats;
  expect(exported.format).toBe('zai-chat/chats');
  expect(exported.chats).toHaveLength(1);
  expect(exported.chats[0]?.messages[0]?.content).toBe('Keep me safe');

  // Delete it, then bring it back from the file.
  await app.nav.getByRole('button', { name: 'Delete chat “Keep me safe”' }).click();
  await expect(app.chatTitles).toHaveCount(0);
  await page.getByLabel('Import chats').setInputFiles(file);
  await expect(page.getByText('Imported 1 chat.')).toBeVisible();
  await expect(app.chatTitles).toHaveText(['Keep me safe']);

  await page.getByLabel('Import chats').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"nope":1}'),
  });
  await expect(page.getByText('Import failed: The file is not a zai-chat export.')).toBeVisible();
});

test('keyboard only: Shift+Enter adds a line, Enter sends', async ({ page }) => {
  await app.composer.focus();
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await expect(app.composer).toHaveValue('line one\nline two');
  // The box grew to show both lines.
  const oneLine = await app.composer.evaluate((el) => el.getBoundingClientRect().height);
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line three');
  expect(await app.composer.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(
    oneLine,
  );
  await page.keyboard.press('Enter');
  await expect(app.questions.first()).toContainText('line two');
  await expect(app.composer).toHaveValue('');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
});

test('at 375 px: one-line header, the chat list is a drawer with a backdrop', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await app.ask('Phone question');
  const header = page.getByRole('banner');
  expect((await header.boundingBox())!.height).toBeLessThanOrEqual(60);
  await expect(page.getByRole('heading', { name: 'zai-chat' })).toHaveCSS('white-space', 'nowrap');

  await expect(app.nav).toBeHidden();
  await app.showChats.click();
  await expect(app.showChats).toHaveAttribute('aria-expanded', 'true');
  await expect(app.nav).toBeVisible();
  await expect(app.button('New chat', app.nav)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(app.nav).toBeHidden();
  await expect(app.showChats).toBeFocused();

  // A tap on the backdrop closes it.
  await app.showChats.click();
  await expect(app.nav).toBeVisible();
  await page.mouse.click(360, 400);
  await expect(app.nav).toBeHidden();

  await app.showChats.click();
  await app.chatTitles.first().click();
  await expect(app.nav).toBeHidden();
  await expect(app.questions.first()).toContainText('Phone question');
});
