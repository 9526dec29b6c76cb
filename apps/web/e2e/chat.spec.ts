import { expect, test } from '@playwright/test';
import { ERRORS } from '@zai-chat/contract';
import { ChatPage } from './pages/ChatPage';

let app: ChatPage;
test.beforeEach(async ({ page }) => {
  app = new ChatPage(page);
  await app.open();
});

test('streamed text grows while it arrives, then shows usage and is announced', async ({
  page,
}) => {
  // Record every length the answer's text takes, in the page, as the DOM changes.
  await page.evaluate(() => {
    const w = window as unknown as { __lengths: Set<number> };
    w.__lengths = new Set();
    new MutationObserver(() => {
      const el = document.querySelectorAll(
        '[data-role="assistant"] [data-testid="message-content"]',
      );
      const last = el[el.length - 1];
      // Trimmed: markdown drops a paragraph's trailing space, which the text has while it grows.
      if (last) w.__lengths.add(last.textContent?.trim().length ?? 0);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await app.send('[sim:slow ms=3000 chunks=30] How do streams work?');
  const answer = app.lastAnswer;
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(app.announcer).toHaveText('Answer started');
  await expect(answer).toHaveAttribute('data-status', 'done');
  const lengths = await page.evaluate(() =>
    [...(window as unknown as { __lengths: Set<number> }).__lengths].filter((n) => n > 0),
  );
  // The text arrived in many pieces, each longer than the last, not all at once.
  expect(lengths.length).toBeGreaterThan(5);
  expect(lengths).toEqual([...lengths].sort((a, b) => a - b));

  await expect(answer.getByTestId('usage')).toContainText('tokens');
  await expect(answer.getByTestId('finish-reason')).toHaveCount(0);
  await expect(app.announcer).toHaveText('Answer finished');
  await expect(app.nav).toContainText('How do streams work?');
});

test('a finished stream completes its request: nothing aborted or failed', async ({ page }) => {
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
  const response = page.waitForResponse((r) => r.url().endsWith('/api/chat'));
  await app.ask('Does the request end cleanly?');
  // finished() resolves null once the whole body arrived, or an error if the request failed.
  expect(await (await response).finished()).toBeNull();
  expect(failed).toEqual([]);
});

test('Stop keeps the partial answer, marked as stopped; Esc stops too', async () => {
  await app.send('[sim:slow ms=8000 chunks=40] Tell me a long story');
  const answer = app.lastAnswer;
  await app.waitForText(answer, 40);
  await app.button('Stop').click();
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  await expect(answer.getByText('Stopped', { exact: true })).toBeVisible();
  const kept = await app.content(answer).innerText();
  expect(kept.length).toBeGreaterThan(40);

  await app.send('[sim:slow ms=8000 chunks=40] Another long story');
  const second = app.lastAnswer;
  await app.waitForText(second, 20);
  await app.page.keyboard.press('Escape');
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await expect(app.announcer).toHaveText('Answer stopped');
  // The first answer's stream ended at Stop: a whole second exchange later it is unchanged.
  await expect(app.content(app.answers.first())).toHaveText(kept);
});

test('reload keeps the conversation, including a stopped partial answer', async ({ page }) => {
  const first = await app.ask('First question');
  const firstAnswer = await app.content(first).innerText();

  await app.send('[sim:slow ms=8000 chunks=40] Second question');
  await app.waitForText(app.lastAnswer, 30);
  await app.button('Stop').click();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  const partial = await app.content(app.lastAnswer).innerText();

  await page.reload();
  await expect(app.answers).toHaveCount(2);
  await expect(app.content(app.answers.first())).toHaveText(firstAnswer);
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  await expect(app.content(app.lastAnswer)).toHaveText(partial);
  await expect(app.questions).toHaveCount(2);
});

test('a reload in the middle of a stream keeps what had arrived, as stopped', async ({ page }) => {
  await app.send('[sim:slow ms=10000 chunks=50] A question interrupted by reload');
  await app.waitForText(app.lastAnswer, 60);
  // Wait until a save with text has reached IndexedDB (saves run at least once a second).
  await expect
    .poll(async () => {
      const [chat] = await app.storedChats();
      return chat?.messages.at(-1)?.content.length ?? 0;
    })
    .toBeGreaterThan(30);
  await page.reload();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'stopped');
  expect(await app.textLength(app.content(app.lastAnswer))).toBeGreaterThan(30);
});

test('an error mid-stream keeps the received text, explains itself, and Retry succeeds', async () => {
  const answer = await app.ask(
    '[sim:drop-once chunks=20 delay=40] Will this connection hold?',
    'error',
  );
  const alert = answer.getByRole('alert');
  await expect(alert).toContainText(ERRORS.upstream_error.message);
  expect(await app.textLength(app.content(answer))).toBeGreaterThan(10);

  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(app.answers).toHaveCount(1);
  await expect(app.page.getByRole('alert')).toHaveCount(0);
});

test('an error before any text shows a readable message', async () => {
  const answer = await app.ask('[sim:balance] Am I out of credit?', 'error');
  await expect(answer.getByRole('alert')).toContainText(ERRORS.insufficient_balance.message);
  await expect(answer.getByRole('button', { name: 'Retry' })).toBeVisible();
});

test('raw HTML and javascript: links in a message are inert', async ({ page }) => {
  // If injected script ever ran, it would call alert(): record that instead of a dialog.
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    window.alert = () => {
      (window as unknown as { alerted: boolean }).alerted = true;
    };
  });
  await page.reload();
  await expect(app.composer).toBeEnabled();
  // The probe works: an alert() from page script sets the flag.
  expect(await page.evaluate(() => 'alert' in window && typeof window.alert)).toBe('function');

  const answer = await app.ask('<img src=x onerror=alert(1)> [x](javascript:alert(1))');
  // The simulator quotes the prompt back, so the answer's markdown carries the payload too.
  await expect(app.content(answer)).toContainText('<img src=x onerror=alert(1)>');
  await expect(page.locator('main img')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await expect(page.locator('[onerror]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { alerted?: boolean }).alerted)).toBe(
    undefined,
  );
  expect(dialogs).toEqual([]);
});

test('reasoning shows in a Thinking section, open while it streams and folded after', async () => {
  await app.send('[sim:reasoning chunks=20 delay=200] Think first, then answer');
  const thinking = app.lastAnswer.getByTestId('thinking');
  await expect(thinking).toBeVisible();
  await expect(thinking).toHaveAttribute('open', '');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  await expect(thinking).not.toHaveAttribute('open', '');
  await thinking.locator('summary').click();
  await expect(thinking).toHaveAttribute('open', '');
  expect(await app.textLength(thinking)).toBeGreaterThan(20);
});

test('markdown renders tables, highlighted code with a copy button, math and labelled tasks', async () => {
  const answer = await app.ask('[sim:markdown size=3000 chunks=20] Show me markdown');
  await expect(answer.locator('table').first()).toBeVisible();
  await expect(answer.locator('.katex').first()).toBeVisible();
  await expect(answer.locator('code.hljs').first()).toBeVisible();
  await expect(answer.getByRole('button', { name: 'Copy code' }).first()).toBeVisible();
  await expect(answer.getByRole('checkbox', { name: 'Done' }).first()).toBeChecked();
  await expect(answer.getByRole('checkbox', { name: 'Not done' }).first()).not.toBeChecked();
});

test('finish reasons other than stop are shown', async () => {
  await app.ask('[sim:length] Cut me off');
  await expect(app.lastAnswer.getByTestId('finish-reason')).toHaveText('Cut off (length limit)');
  await app.ask('[sim:sensitive] Filter me');
  await expect(app.lastAnswer.getByTestId('finish-reason')).toHaveText('Filtered by Z.AI');
});

test('simulator banner and connection indicator', async ({ page }) => {
  await expect(page.getByRole('status').filter({ hasText: 'simulator' })).toBeVisible();
  await expect(app.connection).toHaveAttribute('data-state', 'online');
});

test('the page follows a streaming answer until the reader scrolls up', async ({ page }) => {
  await app.send('[sim:markdown size=6000 chunks=60 delay=60] A long answer to follow');
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollHeight), { timeout: 10_000 })
    .toBeGreaterThan(2500);
  await expect.poll(() => app.distanceFromBottom()).toBeLessThan(200);

  await page.mouse.move(600, 400);
  await page.mouse.wheel(0, -800);
  await expect.poll(() => app.distanceFromBottom()).toBeGreaterThan(400);
  // What the reader is looking at (the text at the middle of the viewport). The browser may
  // shift scrollY to keep it in place as content above lays out; it must stay in view.
  const inView = () =>
    page.evaluate(() => document.elementFromPoint(640, 400)?.textContent?.slice(0, 120) ?? '');
  const reading = await inView();
  expect(reading).not.toBe('');
  await expect(app.lastAnswer).toHaveAttribute('data-status', 'done');
  expect(await inView()).toBe(reading);
  expect(await app.distanceFromBottom()).toBeGreaterThan(600);
});

test('after a reload the view is scrolled to the last answer', async ({ page }) => {
  await app.ask('[sim:markdown size=6000 chunks=20] A long answer');
  await app.ask('Short follow-up');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.reload();
  await expect(app.answers).toHaveCount(2);
  await expect(app.content(app.lastAnswer)).toBeInViewport();
  await expect.poll(() => app.distanceFromBottom()).toBeLessThan(80);
});
