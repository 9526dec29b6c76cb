import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export interface PageResult {
  answerChars: number;
  longestTaskMs: number;
  totalBlockingMs: number;
  longTasks: number;
  streamMs: number;
}

/**
 * Stream a markdown answer of `size` characters into the real app in headless Chromium and
 * collect every main-thread long task (PerformanceObserver `longtask`) from send to done.
 */
export async function measurePage(webUrl: string, prompt: string): Promise<PageResult> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(webUrl);
    await page.getByLabel('Message', { exact: true }).waitFor();
    await page.locator('[data-testid="connection"][data-state="online"]').waitFor();
    // Load the lazy markdown chunk first, so the measurement is the stream, not the download.
    await page.getByLabel('Message', { exact: true }).fill('[sim:normal chunks=2] warm up');
    await page.keyboard.press('Enter');
    await page.locator('[data-role="assistant"][data-status="done"]').first().waitFor();
    await page.locator('.markdown p:not(.plain)').first().waitFor();
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));

    await page.getByLabel('Message', { exact: true }).fill(prompt);
    // Wait on the app's own aria-live announcement with a MutationObserver on that one node:
    // Playwright's locator polling would query the whole growing DOM and cost main-thread time
    // that is then blamed on the app.
    const finished = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const announcer = document.querySelector('[data-testid="announcer"]')!;
          const started = performance.now();
          new MutationObserver(() => {
            if (announcer.textContent === 'Answer finished') resolve(performance.now() - started);
          }).observe(announcer, { childList: true, characterData: true, subtree: true });
        }),
    );
    await page.keyboard.press('Enter');
    const streamMs = await finished;
    await page.waitForTimeout(300); // let the final render and highlighting land
    const tasks = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks,
    );
    const answerChars = await page
      .locator('[data-role="assistant"]')
      .nth(1)
      .getByTestId('message-content')
      .evaluate((el) => el.textContent?.length ?? 0);
    return {
      answerChars,
      longestTaskMs: tasks.length ? Math.max(...tasks) : 0,
      totalBlockingMs: tasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
      longTasks: tasks.length,
      streamMs,
    };
  } finally {
    await browser.close();
  }
}

/** Gzipped size of the JS the production page loads before any interaction (entry + preloads). */
export function initialJsGzipBytes(distDir: string): { bytes: number; files: string[] } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(
      /<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g,
    ),
  ].map((m) => m[1]!);
  const bytes = files.reduce(
    (sum, f) =>
      sum + gzipSync(readFileSync(join(distDir, f.replace(/^\//, ''))), { level: 9 }).length,
    0,
  );
  return { bytes, files };
}
