import { expect, test } from '@playwright/test';
import { answers, contentOf, lastAnswer, openApp, send, textLength } from './helpers';

test.beforeEach(async ({ page }) => {
  // Any alert() would mean injected script ran; fail loudly instead of auto-dismissing.
  page.on('dialog', (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  await openApp(page);
});

test('streamed text grows while it arrives, then shows usage and is announced', async ({
  page,
}) => {
  await send(page, '[sim:slow ms=3000 chunks=30] How do streams work?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(page.getByTestId('announcer')).toHaveText('Answer started');

  const content = contentOf(answer);
  await expect(content).not.toBeEmpty();
  const early = await textLength(content);
  await expect.poll(() => textLength(content), { timeout: 10_000 }).toBeGreaterThan(early);
  // Still streaming after growth was seen: the text arrived in pieces, not all at once.
  const sizes: number[] = [];
  while ((await answer.getAttribute('data-status')) === 'streaming') {
    sizes.push(await textLength(content));
    await page.waitForTimeout(150);
  }
  expect(new Set(sizes).size).toBeGreaterThan(3);

  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.getByTestId('usage')).toContainText('tokens');
  await expect(answer.getByTestId('finish-reason')).toHaveCount(0);
  await expect(page.getByTestId('announcer')).toHaveText('Answer finished');
  await expect(page.getByRole('navigation', { name: 'Chats' })).toContainText(
    'How do streams work?',
  );
});

test('Stop keeps the partial answer, marked as stopped; Esc stops too', async ({ page }) => {
  await send(page, '[sim:slow ms=8000 chunks=40] Tell me a long story');
  const answer = lastAnswer(page);
  await expect.poll(() => textLength(contentOf(answer))).toBeGreaterThan(40);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  await expect(answer.getByText('Stopped', { exact: true })).toBeVisible();
  const kept = await contentOf(answer).innerText();
  expect(kept.length).toBeGreaterThan(40);
  await page.waitForTimeout(600);
  expect(await contentOf(answer).innerText()).toBe(kept);

  await send(page, '[sim:slow ms=8000 chunks=40] Another long story');
  const second = lastAnswer(page);
  await expect.poll(() => textLength(contentOf(second))).toBeGreaterThan(20);
  await page.keyboard.press('Escape');
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await expect(page.getByTestId('announcer')).toHaveText('Answer stopped');
});

test('reload keeps the conversation, including a stopped partial answer', async ({ page }) => {
  await send(page, 'First question');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const firstAnswer = await contentOf(lastAnswer(page)).innerText();

  await send(page, '[sim:slow ms=8000 chunks=40] Second question');
  await expect.poll(() => textLength(contentOf(lastAnswer(page)))).toBeGreaterThan(30);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'stopped');
  const partial = await contentOf(lastAnswer(page)).innerText();

  await page.reload();
  await expect(answers(page)).toHaveCount(2);
  await expect(contentOf(answers(page).first())).toHaveText(firstAnswer);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'stopped');
  await expect(contentOf(lastAnswer(page))).toHaveText(partial);
  await expect(page.locator('[data-role="user"]')).toHaveCount(2);
});

test('a reload in the middle of a stream keeps what had arrived, as stopped', async ({ page }) => {
  await send(page, '[sim:slow ms=10000 chunks=50] A question interrupted by reload');
  await expect.poll(() => textLength(contentOf(lastAnswer(page)))).toBeGreaterThan(60);
  // Saves happen at least once a second while streaming.
  await page.waitForTimeout(1300);
  await page.reload();
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  expect(await textLength(contentOf(answer))).toBeGreaterThan(30);
});

test('an error mid-stream keeps the received text, explains itself, and Retry succeeds', async ({
  page,
}) => {
  await send(page, '[sim:drop-once chunks=20 delay=40] Will this connection hold?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'error');
  const alert = answer.getByRole('alert');
  await expect(alert).toContainText('Z.AI stopped answering part way');
  expect(await textLength(contentOf(answer))).toBeGreaterThan(10);

  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(answers(page)).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('an error before any text shows a readable message', async ({ page }) => {
  await send(page, '[sim:balance] Am I out of credit?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'error');
  await expect(answer.getByRole('alert')).toContainText('run out of balance');
  await expect(answer.getByRole('button', { name: 'Retry' })).toBeVisible();
});

test('raw HTML and javascript: links in a message are inert', async ({ page }) => {
  await send(page, '<img src=x onerror=alert(1)> [x](javascript:alert(1))');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  // The simulator quotes the prompt back, so the answer's markdown carries the payload too.
  await expect(contentOf(lastAnswer(page))).toContainText('<img src=x onerror=alert(1)>');
  await expect(page.locator('main img')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await expect(page.locator('[onerror]')).toHaveCount(0);
  expect(
    await page.evaluate(() => (window as unknown as { alerted?: boolean }).alerted),
  ).toBeUndefined();
});

test('reasoning shows in a Thinking section, open while it streams and folded after', async ({
  page,
}) => {
  await send(page, '[sim:reasoning chunks=30 delay=60] Think first, then answer');
  const thinking = lastAnswer(page).getByTestId('thinking');
  await expect(thinking).toBeVisible();
  await expect(thinking).toHaveAttribute('open', '');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(thinking).not.toHaveAttribute('open', '');
  await thinking.locator('summary').click();
  await expect(thinking).toHaveAttribute('open', '');
  expect(await textLength(thinking)).toBeGreaterThan(20);
});

test('markdown renders tables, highlighted code with a copy button, and math', async ({ page }) => {
  await send(page, '[sim:markdown size=3000 chunks=20] Show me markdown');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.locator('table').first()).toBeVisible();
  await expect(answer.locator('.katex').first()).toBeVisible();
  await expect(answer.locator('code.hljs').first()).toBeVisible();
  await expect(answer.getByRole('button', { name: 'Copy code' }).first()).toBeVisible();
  await expect(answer.locator('input[type="checkbox"]').first()).toBeAttached();
});

test('finish reasons other than stop are shown', async ({ page }) => {
  await send(page, '[sim:length] Cut me off');
  await expect(lastAnswer(page).getByTestId('finish-reason')).toHaveText('Cut off (length limit)');
  await send(page, '[sim:sensitive] Filter me');
  await expect(lastAnswer(page).getByTestId('finish-reason')).toHaveText('Filtered by Z.AI');
});

test('simulator banner and connection indicator', async ({ page }) => {
  await expect(page.getByRole('status').filter({ hasText: 'simulator' })).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');
});

test('the page follows a streaming answer until the reader scrolls up', async ({ page }) => {
  await send(page, '[sim:markdown size=6000 chunks=60 delay=60] A long answer to follow');
  const distanceFromBottom = () =>
    page.evaluate(
      () => document.documentElement.scrollHeight - window.scrollY - window.innerHeight,
    );
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollHeight), { timeout: 10_000 })
    .toBeGreaterThan(2500);
  expect(await distanceFromBottom()).toBeLessThan(200);

  await page.mouse.move(600, 400);
  await page.mouse.wheel(0, -800);
  await page.waitForTimeout(200);
  const readingAt = await page.evaluate(() => window.scrollY);
  await page.waitForTimeout(800);
  expect(await page.evaluate(() => window.scrollY)).toBe(readingAt);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
});
