import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import type { ApiConfig } from '@zai-chat/contract';
import { ChatPage } from './pages/ChatPage';
import { png } from './support/png';

const PHOTO = { name: 'photo.png', mimeType: 'image/png', buffer: png(640, 420) };
const HEAVY = { name: 'heavy.png', mimeType: 'image/png', buffer: png(100, 100, 'noise') };

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
      let visionModel: string;
      test.beforeEach(async ({ page, request }) => {
        const config = (await (await request.get('/api/config')).json()) as ApiConfig;
        const model = config.models.find((m) => m.vision)!;
        visionModel = model.name ?? model.id;
        if (test.info().title.startsWith('an image refused'))
          await page.route('**/api/config', async (route) => {
            const response = await route.fetch();
            const json = (await response.json()) as ApiConfig;
            json.limits.maxImageBytes = 16 * 1024;
            await route.fulfill({ response, json });
          });
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

      test('images, tool-call cards and sources on screen', async ({ page }) => {
        await app.pickModel(visionModel);
        await app.attach(PHOTO);
        const sourced = await app.ask('[sim:web-search results=3] What is in this photo?');
        await expect(sourced.getByTestId('source')).toHaveCount(3);
        await expect(app.questions.last().getByRole('img', { name: 'photo.png' })).toBeVisible();
        const tools = await app.ask('[sim:tools calls=2] And the weather there?');
        await expect(tools.getByTestId('tool-call')).toHaveCount(2);
        await app.attach(PHOTO);
        await expect(page.locator('main').getByRole('img', { name: 'photo.png' })).toBeVisible();
        expect(await violations(page)).toEqual([]);
      });

      test('an image refused before sending', async ({ page }) => {
        await app.pickModel(visionModel);
        await app.attach(HEAVY, PHOTO);
        await expect(app.pending.getByRole('alert')).toHaveCount(2);
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
