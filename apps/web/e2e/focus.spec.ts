import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/ChatPage';

let app: ChatPage;
test.beforeEach(async ({ page }) => {
  app = new ChatPage(page);
  await app.open();
});

test('after Stop (button or Esc) focus is in the message box, not on the page', async ({
  page,
}) => {
  await app.send('[sim:slow ms=8000 chunks=40] A long story');
  await app.waitForText(app.lastAnswer, 20);
  await app.button('Stop').focus();
  await page.keyboard.press('Enter');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  await expect(app.composer).toBeFocused();

  await app.send('[sim:slow ms=8000 chunks=40] Another');
  await app.waitForText(app.lastAnswer, 20);
  await app.button('Stop').focus();
  await page.keyboard.press('Escape');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  await expect(app.composer).toBeFocused();
});

test('deleting a chat from the keyboard moves focus to the next chat, then to New chat', async ({
  page,
}) => {
  await app.ask('Alpha');
  await app.button('New chat', app.nav).click();
  await app.ask('Beta');
  await expect(app.chatTitles).toHaveText(['Beta', 'Alpha']);

  await app.nav.getByRole('button', { name: 'Delete chat “Beta”' }).focus();
  await page.keyboard.press('Enter');
  await expect(app.chatTitles).toHaveText(['Alpha']);
  await expect(app.chatTitles.first()).toBeFocused();

  // Its actions appear with focus: Tab reaches Rename, then Delete, by name.
  await page.keyboard.press('Tab');
  await expect(app.nav.getByRole('button', { name: 'Rename chat “Alpha”' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(app.nav.getByRole('button', { name: 'Delete chat “Alpha”' })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(app.chatTitles).toHaveCount(0);
  await expect(app.button('New chat', app.nav)).toBeFocused();
});

test('Esc cancels an edit and returns focus to Edit; saving sends and focuses the box', async ({
  page,
}) => {
  await app.ask('Original question');
  const question = app.questions.first();
  await question.getByRole('button', { name: 'Edit message' }).click();
  const field = page.getByRole('textbox', { name: 'Edit message' });
  await expect(field).toBeFocused();
  await field.fill('Changed my mind');
  await page.keyboard.press('Escape');
  await expect(field).toHaveCount(0);
  await expect(question.getByRole('button', { name: 'Edit message' })).toBeFocused();
  await expect(app.content(question)).toHaveText('Original question');
  // Esc inside the edit did not also reach the page (no answer was stopped or changed).
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');

  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'Edit message' }).fill('Edited question');
  await page.keyboard.press('Enter');
  await expect(app.composer).toBeFocused();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(app.content(app.lastAnswer)).toContainText('Edited question');
});

test('rename: Enter returns focus to the chat, Esc to the Rename button', async ({ page }) => {
  await app.ask('Name me');
  await app.nav.getByRole('button', { name: 'Rename chat “Name me”' }).click();
  await page.keyboard.press('Escape');
  await expect(app.nav.getByRole('button', { name: 'Rename chat “Name me”' })).toBeFocused();
  await page.keyboard.press('Enter');
  await app.nav.getByLabel('Chat title').fill('Named');
  await page.keyboard.press('Enter');
  await expect(app.chatTitles.first()).toHaveText('Named');
  await expect(app.chatTitles.first()).toBeFocused();
});

test('a suggested prompt sends at once and leaves focus in the message box', async () => {
  await app.page.getByRole('button', { name: /Explain a concept/ }).click();
  await expect(app.questions).toHaveCount(1);
  await expect(app.content(app.questions.first())).toContainText('HTTPS');
  await expect(app.composer).toBeFocused();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
});

test('the skip link is the first stop and lands in the message box', async ({ page }) => {
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to message box' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(app.composer).toBeFocused();
});

test('focus is drawn with a visible ring of at least 3:1 contrast', async ({ page }) => {
  await app.ask('Anything');
  await app.composer.focus();
  await page.keyboard.press('Shift+Tab');
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName,
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      color: style.outlineColor,
    };
  });
  expect(ring.tag).toBe('BUTTON');
  expect(ring.style).toBe('solid');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(contrast(ring.color, bg)).toBeGreaterThanOrEqual(3);
});

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? [])
      .slice(0, 3)
      .map(Number)
      .map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
