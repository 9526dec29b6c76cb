import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/ChatPage';

let app: ChatPage;
test.beforeEach(async ({ page }) => {
  app = new ChatPage(page);
  await app.open();
});

test('a streamed tool call is a card: name, arguments growing then as JSON, the finish reason', async ({
  page,
}) => {
  // Record every text the first card's arguments show, as the DOM changes.
  await page.evaluate(() => {
    const w = window as unknown as { __args: string[] };
    w.__args = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="tool-call-arguments"]');
      const text = el?.textContent ?? '';
      if (text && w.__args.at(-1) !== text) w.__args.push(text);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await app.send('[sim:tools calls=2 delay=250] What is the weather?');
  const cards = app.lastAnswer.getByTestId('tool-call');
  // While fragments arrive the card says so.
  await expect(cards.first()).toHaveAttribute('data-streaming', 'true');
  await expect(cards.first().getByTestId('tool-call-state')).toHaveText('Receiving arguments…');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');

  await expect(cards).toHaveCount(2);
  await expect(cards.locator('.tool-call__name')).toHaveText(['get_weather', 'get_weather']);
  for (const card of await cards.all()) {
    await expect(card).not.toHaveAttribute('data-streaming');
    await expect(card.getByTestId('tool-call-finish')).toHaveText('finish reason tool_calls');
    await expect(card.getByTestId('tool-call-id')).toContainText(/call_\w+/);
  }
  const args = cards.getByTestId('tool-call-arguments');
  await expect(args.first()).toHaveAttribute('data-json', 'true');
  await expect(args.first()).toHaveText(
    JSON.stringify({ city: 'Paris', unit: 'celsius' }, null, 2),
  );
  await expect(args.nth(1)).toHaveText(JSON.stringify({ city: 'Tokyo', unit: 'celsius' }, null, 2));
  // The arguments arrived in pieces, each extending the last, before they became JSON.
  const seen = await page.evaluate(() => (window as unknown as { __args: string[] }).__args);
  const partial = seen.filter((t) => t !== '…' && !t.includes('\n'));
  expect(partial.length).toBeGreaterThan(2);
  for (let i = 1; i < partial.length; i++)
    expect(partial[i]!.startsWith(partial[i - 1]!)).toBe(true);
  // No "Asked to call a tool" badge and no empty answer text: the cards say it all.
  await expect(app.lastAnswer.getByTestId('finish-reason')).toHaveCount(0);
  await expect(app.content(app.lastAnswer)).toHaveCount(0);

  // Collapsible: the summary folds and unfolds a card.
  await cards.first().locator('summary').click();
  await expect(cards.first()).not.toHaveAttribute('open');
  await expect(args.first()).toBeHidden();
  await cards.first().locator('summary').click();
  await expect(args.first()).toBeVisible();

  // Stored with the chat: a reload shows the same finished cards.
  await expect
    .poll(async () => (await app.storedChats())[0]?.messages[1]?.toolCalls?.length)
    .toBe(2);
  await page.reload();
  await expect(app.lastAnswer.getByTestId('tool-call')).toHaveCount(2);
  await expect(app.lastAnswer.getByTestId('tool-call-arguments').nth(1)).toHaveText(
    JSON.stringify({ city: 'Tokyo', unit: 'celsius' }, null, 2),
  );
});

test('web-search results are a numbered source list; citations link to them', async ({ page }) => {
  const answer = await app.ask('[sim:web-search results=3] What do sources say?');
  const sources = answer.getByTestId('source');
  await expect(sources).toHaveCount(3);
  await expect(answer.getByRole('heading', { name: 'Sources' })).toBeVisible();
  for (let i = 0; i < 3; i++) {
    const link = sources.nth(i).getByRole('link');
    await expect(link).toHaveAttribute('href', `https://example.com/articles/${i + 1}`);
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toContainText('(What do sources say?)');
  }
  await expect(answer.locator('ol.sources__list')).toBeVisible();
  // GLM's [ref_N] became a link to source N of this answer.
  const cite = app.content(answer).getByRole('link', { name: '[1]' });
  await expect(cite).toHaveAttribute('href', /^#src-.+-1$/);
  await expect(app.content(answer)).not.toContainText('[ref_1]');
  await cite.click();
  await expect(sources.first()).toBeInViewport();

  await expect.poll(async () => (await app.storedChats())[0]?.messages[1]?.sources?.length).toBe(3);
  await page.reload();
  await expect(app.lastAnswer.getByTestId('source')).toHaveCount(3);
});

test('hostile search results stay text: no markup, no script, no javascript: or data: link', async ({
  page,
}) => {
  // Any dialog (alert from an injected handler) fails the test.
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Count every <img>, <script>, <svg onload>, <iframe> or <object> added to the page from now.
  await page.evaluate(() => {
    const w = window as unknown as { __created: string[] };
    w.__created = [];
    new MutationObserver((records) => {
      for (const r of records)
        for (const node of r.addedNodes) {
          if (!(node instanceof Element)) continue;
          for (const el of [node, ...node.querySelectorAll('*')])
            if (
              /^(img|script|iframe|object|embed)$/i.test(el.tagName) ||
              el.hasAttribute('onload') ||
              el.hasAttribute('onerror')
            )
              w.__created.push(el.outerHTML.slice(0, 80));
        }
    }).observe(document.body, { childList: true, subtree: true });
  });
  const answer = await app.ask('[sim:web-search hostile=1 results=3] Anything risky?');
  const sources = answer.getByTestId('source');
  await expect(sources).toHaveCount(3);
  // The titles are shown as the text they are.
  await expect(sources.nth(0)).toContainText('Breaking <img src=x onerror=alert(1)> news');
  await expect(sources.nth(1)).toContainText('<script>alert(2)</script>Official docs');
  // Only the https result is a link; the others show their link as plain text.
  await expect(answer.getByTestId('sources').getByRole('link')).toHaveCount(1);
  await expect(sources.nth(2).getByRole('link')).toHaveAttribute(
    'href',
    'https://example.com/safe',
  );
  await expect(sources.nth(0)).toContainText('Not a web link: javascript:alert(1)');
  await expect(sources.nth(1)).toContainText(
    'Not a web link: data:text/html,<script>alert(2)</script>',
  );
  await expect(page.locator('a[href^="javascript:" i], a[href^="data:" i]')).toHaveCount(0);
  await expect(page.locator('main script, main img, main [onerror], main [onload]')).toHaveCount(0);
  expect(
    await page.evaluate(() => (window as unknown as { __created: string[] }).__created),
  ).toEqual([]);

  await page.reload();
  await expect(app.lastAnswer.getByTestId('source')).toHaveCount(3);
  await expect(page.locator('a[href^="javascript:" i], a[href^="data:" i]')).toHaveCount(0);
  await expect(page.locator('main script, main img, main [onerror], main [onload]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('the hostile checks can fail: a javascript: href or an inserted <img> would be found', async ({
  page,
}) => {
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.href = 'javascript:void 0';
    const img = document.createElement('img');
    img.setAttribute('onerror', 'void 0');
    document.querySelector('main')!.append(a, img);
  });
  await expect(page.locator('a[href^="javascript:" i], a[href^="data:" i]')).toHaveCount(1);
  await expect(page.locator('main script, main img, main [onerror], main [onload]')).toHaveCount(1);
});
