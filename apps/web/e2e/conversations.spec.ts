import { type Page, expect, test } from '@playwright/test';
import { answers, contentOf, lastAnswer, openApp, send } from './helpers';

test.beforeEach(async ({ page }) => openApp(page));

const nav = (page: Page) => page.getByRole('navigation', { name: 'Chats' });

test('chats: new, newest first, rename, delete with undo', async ({ page }) => {
  await send(page, 'Alpha question');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await nav(page).getByRole('button', { name: 'New chat' }).click();
  await send(page, 'Beta question');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  const titles = nav(page).locator('.chat-list__title');
  await expect(titles).toHaveText(['Beta question', 'Alpha question']);

  await nav(page).getByRole('button', { name: 'Rename chat' }).first().click();
  const field = nav(page).getByLabel('Chat title');
  await field.fill('Renamed beta');
  await field.press('Enter');
  await expect(titles.first()).toHaveText('Renamed beta');

  await nav(page).getByRole('button', { name: 'Delete chat' }).first().click();
  await expect(titles).toHaveText(['Alpha question']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(titles).toHaveText(['Renamed beta', 'Alpha question']);

  await page.reload();
  await expect(titles).toHaveText(['Renamed beta', 'Alpha question']);
  await titles.nth(1).click();
  await expect(contentOf(page.locator('[data-role="user"]').first())).toHaveText('Alpha question');
});

test('edit a user message resends and replaces later messages; regenerate replaces the answer', async ({
  page,
}) => {
  await send(page, 'Original question');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await send(page, 'Follow-up');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(answers(page)).toHaveCount(2);

  await page
    .locator('[data-role="user"]')
    .first()
    .getByRole('button', { name: 'Edit message' })
    .click();
  const edit = page.getByLabel('Edit message');
  await edit.fill('Edited question');
  await page.getByRole('button', { name: 'Save & send' }).click();
  await expect(answers(page)).toHaveCount(1);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(contentOf(lastAnswer(page))).toContainText('Edited question');
  await expect(page.locator('[data-role="user"]')).toHaveCount(1);

  const before = await contentOf(lastAnswer(page)).innerText();
  await lastAnswer(page).getByRole('button', { name: 'Regenerate' }).click();
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(answers(page)).toHaveCount(1);
  expect((await contentOf(lastAnswer(page)).innerText()).length).toBeGreaterThan(0);
  expect(before.length).toBeGreaterThan(0);
});

test('settings are kept per chat and become the default for new chats', async ({ page }) => {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Model', { exact: true }).selectOption('glm-4.5-air');
  await dialog.getByLabel('Thinking').check();
  await dialog.getByRole('button', { name: 'Close' }).click();

  await send(page, 'Which model answers?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('glm-4.5-air');
  // Thinking on: the simulator reasons first.
  await expect(answer.getByTestId('thinking')).toBeVisible();

  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('dialog').getByLabel('Model', { exact: true })).toHaveValue(
    'glm-4.5-air',
  );
});

test('export and import all chats as JSON', async ({ page }) => {
  await send(page, 'Keep me safe');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export chats' }).click();
  const file = await (await downloadPromise).path();
  const fs = await import('node:fs/promises');
  const exported = JSON.parse(await fs.readFile(file, 'utf8'));
  expect(exported.format).toBe('zai-chat/chats');
  expect(exported.chats).toHaveLength(1);

  // Delete it, then bring it back from the file.
  await nav(page).getByRole('button', { name: 'Delete chat' }).click();
  await expect(nav(page).locator('.chat-list__title')).toHaveCount(0);
  await page.getByLabel('Import chats').setInputFiles(file);
  await expect(page.getByText('Imported 1 chat.')).toBeVisible();
  await expect(nav(page).locator('.chat-list__title')).toHaveText(['Keep me safe']);

  await page.getByLabel('Import chats').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"nope":1}'),
  });
  await expect(page.getByText('Import failed: The file is not a zai-chat export.')).toBeVisible();
});

test('keyboard only: Shift+Enter adds a line, Enter sends, focus is visible', async ({ page }) => {
  const input = page.getByLabel('Message', { exact: true });
  await input.focus();
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await expect(input).toHaveValue('line one\nline two');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-role="user"]').first()).toContainText('line two');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  // Back from the composer to the answer's last action, by keyboard: focus must be visible.
  await page.keyboard.press('Shift+Tab');
  const focused = await page.evaluate(() => ({
    tag: document.activeElement?.tagName,
    outline: getComputedStyle(document.activeElement!).outlineStyle,
  }));
  expect(focused.tag).toBe('BUTTON');
  expect(focused.outline).not.toBe('none');
});

test('at 375 px the chat list opens from "Show chats" and closes on choice or Esc', async ({
  page,
}) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await send(page, 'Phone question');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const show = page.getByRole('button', { name: 'Show chats' });
  await expect(nav(page)).toBeHidden();
  await show.click();
  await expect(show).toHaveAttribute('aria-expanded', 'true');
  await expect(nav(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(nav(page)).toBeHidden();
  await show.click();
  await nav(page).locator('.chat-list__title').first().click();
  await expect(nav(page)).toBeHidden();
  await expect(page.locator('[data-role="user"]').first()).toContainText('Phone question');
});
