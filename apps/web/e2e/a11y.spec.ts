import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { ChatPage } from './pages/ChatPage';

/**
 * axe-core with every rule it enables by default (WCAG 2.x A/AA and best practices), on the
 * states people see most. A violation's id and the first nodes it names are in the failure.
 */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.length,
    first: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
}

for (const theme of ['light', 'dark'] as const) {
  for (const width of [1280, 375]) {
    test.describe(`${theme}, ${width} px`, () => {
      let app: ChatPage;
      test.beforeEach(async ({ page }) => {
        await page.emulateMedia({ colorScheme: theme });
        await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
        app = new ChatPage(page);
        await app.open();
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      });

      test('empty state', async ({ page }) => {
        await expect(page.getByRole('button', { name: /Explain a concept/ })).toBeVisible();
        expect(await violations(page)).toEqual([]);
      });

      test('after a markdown answer', async ({ page }) => {
        const answer = await app.ask('[sim:markdown size=3000 chunks=20] Markdown please');
        await expect(answer.locator('code.hljs').first()).toBeVisible();
        await expect(answer.locator('.katex').first()).toBeVisible();
        expect(await violations(page)).toEqual([]);
      });

      test('after a reasoning answer, thinking open', async ({ page }) => {
        const answer = await app.ask('[sim:reasoning chunks=10] Think about it');
        await answer.getByTestId('thinking').locator('summary').click();
        await expect(answer.getByTestId('thinking')).toHaveAttribute('open', '');
        expect(await violations(page)).toEqual([]);
      });

      test('settings dialog', async ({ page }) => {
        await app.openSettings();
        expect(await violations(page)).toEqual([]);
      });

      test('an error answer and the undo toast', async ({ page }) => {
        await app.ask('[sim:balance] Out of credit?', 'error');
        if (width === 375) await app.showChats.click();
        await app.nav.getByRole('button', { name: /^Delete chat/ }).click();
        await expect(page.getByRole('button', { name: 'Undo' })).toBeVisible();
        expect(await violations(page)).toEqual([]);
        await page.getByRole('button', { name: 'Undo' }).click();
        await expect(app.lastAnswer.getByRole('alert')).toBeVisible();
        expect(await violations(page)).toEqual([]);
      });

      if (width === 375) {
        test('chat drawer open', async ({ page }) => {
          await app.ask('Something to list');
          await app.showChats.click();
          await expect(app.nav).toBeVisible();
          expect(await violations(page)).toEqual([]);
        });
      }
    });
  }
}

test('the check itself fails on a real violation (an unlabelled field)', async ({ page }) => {
  const app = new ChatPage(page);
  await app.open();
  await page.evaluate(() =>
    document.querySelector('main')!.append(document.createElement('input')),
  );
  expect((await violations(page)).map((v) => v.id)).toContain('label');
});
