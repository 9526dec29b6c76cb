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
  /** Every long task: its length and how many chunks had arrived when it was reported. */
  longTasksAt: LongTask[];
  totalBlockingMs: number;
  longTasks: number;
  streamMs: number;
  /** `data:` chunks the page received for the answer. */
  chunks: number;
  /** Main-thread time per chunk (ms) in the first and the last 10% of the stream. */
  perChunkStartMs: number;
  perChunkEndMs: number;
}

interface LongTask {
  ms: number;
  chunks: number;
}

/**
 * Stream a markdown answer into the real app in headless Chromium and collect every
 * main-thread long task (PerformanceObserver `longtask`) from send to done, plus the
 * renderer's main-thread time per received chunk early and late in the stream: if a chunk
 * costs more at the end of a long answer than at its start, rendering grows with length.
 *
 * Chunks are counted as they arrive (an init script wraps the /api/chat response body in a
 * counting TransformStream, the same constant cost per chunk everywhere); main-thread time is
 * the renderer's cumulative TaskDuration (CDP Performance.getMetrics), sampled from outside
 * the page so the sampling costs the page nothing.
 */
export async function measurePage(webUrl: string, prompt: string): Promise<PageResult> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: LongTask[]; __chunks: number };
      w.__longTasks = [];
      w.__chunks = 0;
      new PerformanceObserver((list) => {
        // The chunk count when the observer hears of it: where in the stream the task fell.
        for (const entry of list.getEntries())
          w.__longTasks.push({ ms: entry.duration, chunks: w.__chunks });
      }).observe({ type: 'longtask', buffered: true });
      const realFetch = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const response = await realFetch(input, init);
        const url =
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!url.endsWith('/api/chat') || !response.body) return response;
        const decoder = new TextDecoder();
        const counted = response.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(bytes, controller) {
              const text = decoder.decode(bytes, { stream: true });
              for (let i = text.indexOf('data: {'); i >= 0; i = text.indexOf('data: {', i + 1))
                w.__chunks++;
              controller.enqueue(bytes);
            },
          }),
        );
        return new Response(counted, { status: response.status, headers: response.headers });
      };
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    };
    await page.goto(webUrl);
    await page.getByLabel('Message', { exact: true }).waitFor();
    await page.locator('[data-testid="connection"][data-state="online"]').waitFor();
    // Load the lazy markdown chunk first, so the measurement is the stream, not the download.
    await page.getByLabel('Message', { exact: true }).fill('[sim:normal chunks=2] warm up');
    await page.keyboard.press('Enter');
    await page.locator('[data-role="assistant"][data-status="done"]').first().waitFor();
    await page.locator('.markdown p:not(.plain)').first().waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: LongTask[]; __chunks: number };
      w.__longTasks = [];
      w.__chunks = 0;
    });

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
    // Sample (chunks received, main-thread seconds) about every 250 ms until the answer ends.
    const samples: { chunks: number; task: number }[] = [];
    let streaming = true;
    const sampler = (async () => {
      while (streaming) {
        const [chunks, task] = await Promise.all([
          page.evaluate(() => (window as unknown as { __chunks: number }).__chunks),
          taskSeconds(),
        ]);
        samples.push({ chunks, task });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const streamMs = await finished;
    streaming = false;
    await sampler;
    samples.push({
      chunks: await page.evaluate(() => (window as unknown as { __chunks: number }).__chunks),
      task: await taskSeconds(),
    });
    await page.waitForTimeout(300); // let the final render and highlighting land
    const longTasks = await page.evaluate(
      () => (window as unknown as { __longTasks: LongTask[] }).__longTasks,
    );
    const tasks = longTasks.map((t) => t.ms);
    const answerChars = await page
      .locator('[data-role="assistant"]')
      .nth(1)
      .getByTestId('message-content')
      .evaluate((el) => el.textContent?.length ?? 0);
    const chunks = samples.at(-1)?.chunks ?? 0;
    return {
      answerChars,
      chunks,
      perChunkStartMs: perChunkMs(samples, 0, 0.1 * chunks),
      perChunkEndMs: perChunkMs(samples, 0.9 * chunks, chunks),
      longestTaskMs: tasks.length ? Math.max(...tasks) : 0,
      totalBlockingMs: tasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
      longTasks: tasks.length,
      longTasksAt: longTasks,
      streamMs,
    };
  } finally {
    await browser.close();
  }
}

/**
 * Main-thread milliseconds per chunk between the samples that bracket chunks [from, to]:
 * the first sample at or after `from` to the first at or after `to`.
 */
export function perChunkMs(
  samples: { chunks: number; task: number }[],
  from: number,
  to: number,
): number {
  // Counting starts at the first chunk: the send itself is not a chunk's cost.
  const a = samples.find((s) => s.chunks >= Math.max(1, from)) ?? samples[0];
  const b = samples.find((s) => s.chunks >= to) ?? samples.at(-1);
  if (!a || !b || b.chunks <= a.chunks) return 0;
  return ((b.task - a.task) * 1000) / (b.chunks - a.chunks);
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
