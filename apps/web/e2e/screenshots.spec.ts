import { expect, test } from '@playwright/test';
import { lastAnswer, openApp, send } from './helpers';

for (const width of [1280, 375]) {
  for (const theme of ['light', 'dark'] as const) {
    test(`screenshot at ${width}px, ${theme}`, async ({ page }, testInfo) => {
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
      await openApp(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await send(page, '[sim:markdown size=1500 chunks=10] A markdown answer');
      await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
      // Nothing may overflow the viewport sideways at phone width.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      if (overflow > 0)
        await page.screenshot({ path: testInfo.outputPath(`overflow-${width}-${theme}.png`) });
      expect(overflow).toBeLessThanOrEqual(0);
      if (width === 1280) {
        // The sidebar fits the viewport under the top bar, banner or not.
        await expect(page.getByRole('button', { name: 'Export chats' })).toBeInViewport();
        await expect(page.getByRole('button', { name: 'New chat' })).toBeInViewport();
      }
      if (width === 375) {
        await expect(page.getByRole('button', { name: 'Show chats' })).toBeVisible();
        await expect(page.getByRole('navigation', { name: 'Chats' })).toBeHidden();
      }
      await page.screenshot({
        path: testInfo.outputPath(`chat-${width}-${theme}.png`),
        fullPage: false,
      });
    });
  }
}

test('theme toggle switches and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});
