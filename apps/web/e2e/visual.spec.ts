import { type Page, expect, test } from '@playwright/test';
import { ChatPage } from './pages/ChatPage';
import { png } from './support/png';

/**
 * The design, compared against committed baselines (e2e/__screenshots__). Fonts are
 * self-hosted and the simulator's answers are fixed, so the pixels depend on the code alone;
 * refresh them with `npx playwright test e2e/visual.spec.ts --update-snapshots`.
 */
const SIZES = { 1280: { width: 1280, height: 800 }, 375: { width: 375, height: 812 } } as const;

async function setUp(page: Page, width: 1280 | 375, theme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  await page.setViewportSize(SIZES[width]);
  const app = new ChatPage(page);
  await app.open();
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  return app;
}

for (const width of [1280, 375] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`empty state at ${width}px, ${theme}`, async ({ page }) => {
      await setUp(page, width, theme);
      await page.mouse.move(0, 0);
      await expect(page).toHaveScreenshot(`empty-${width}-${theme}.png`);
    });

    test(`markdown answer at ${width}px, ${theme}`, async ({ page }) => {
      const app = await setUp(page, width, theme);
      const answer = await app.ask('[sim:markdown size=1500 chunks=10] A markdown answer');
      await expect(answer.locator('code.hljs').first()).toBeVisible();
      await expect(answer.locator('.katex').first()).toBeVisible();
      // Nothing may overflow the viewport sideways.
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(0);
      await page.mouse.move(0, 0);
      await expect.poll(() => app.distanceFromBottom()).toBeLessThan(2);
      await expect(page).toHaveScreenshot(`chat-${width}-${theme}.png`);
    });
  }
}

test('chat drawer at 375px, light', async ({ page }) => {
  const app = await setUp(page, 375, 'light');
  await app.ask('A question for the list');
  await app.showChats.click();
  await expect(app.nav).toBeVisible();
  await expect(page).toHaveScreenshot('drawer-375-light.png');
});

test('settings dialog at 1280px, dark', async ({ page }) => {
  const app = await setUp(page, 1280, 'dark');
  await app.openSettings();
  await expect(page).toHaveScreenshot('settings-1280-dark.png');
});

test('the theme toggle switches and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const app = new ChatPage(page);
  await app.open();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
});

test('a tool call at 1280px, light', async ({ page }) => {
  const app = await setUp(page, 1280, 'light');
  const answer = await app.ask('[sim:tools calls=2] Weather in two cities?');
  await expect(answer.getByTestId('tool-call')).toHaveCount(2);
  await page.mouse.move(0, 0);
  await expect.poll(() => app.distanceFromBottom()).toBeLessThan(2);
  // The simulator's call ids are random: they are masked, everything else is compared.
  await expect(page).toHaveScreenshot('tool-call-1280-light.png', {
    mask: [answer.getByTestId('tool-call-id').locator('code')],
  });
});

test('a sourced answer at 1280px, light', async ({ page }) => {
  const app = await setUp(page, 1280, 'light');
  const answer = await app.ask('[sim:web-search results=3] What do the sources say?');
  await expect(answer.getByTestId('source')).toHaveCount(3);
  await page.mouse.move(0, 0);
  await expect.poll(() => app.distanceFromBottom()).toBeLessThan(2);
  await expect(page).toHaveScreenshot('sources-1280-light.png');
});

test('an image chat at 1280px, light', async ({ page }) => {
  const app = await setUp(page, 1280, 'light');
  await app.pickModel('GLM-4.5V');
  await app.attach({ name: 'gradient.png', mimeType: 'image/png', buffer: png(480, 320) });
  const answer = await app.ask('What colours are in this picture?');
  await expect(app.questions.last().getByTestId('message-image')).toBeVisible();
  await expect
    .poll(() =>
      app.questions
        .last()
        .getByTestId('message-image')
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    )
    .toBe(480);
  await app.attach({ name: 'next.png', mimeType: 'image/png', buffer: png(320, 480) });
  await expect(answer).toHaveAttribute('data-status', 'done');
  await page.mouse.move(0, 0);
  await expect.poll(() => app.distanceFromBottom()).toBeLessThan(2);
  await expect(page).toHaveScreenshot('image-chat-1280-light.png');
});
