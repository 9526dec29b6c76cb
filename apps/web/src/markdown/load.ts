import type { highlight } from './highlight';

/**
 * The markdown renderer (with math and highlighting) is a lazy chunk, kept out of the initial
 * JS. One shared import: the first answer should not wait for it, so the app starts fetching it
 * once the page is idle (`preloadMarkdown`), and the lazy component reuses the same promise.
 * Until it arrives an answer shows as plain text, which then re-lays out as markdown.
 */
const load = () => import('./Markdown');
let loading: ReturnType<typeof load> | undefined;

export const loadMarkdown = () => (loading ??= load());

// One import for the page: each import() call makes Vite's preload helper query the whole
// document for the chunk's CSS link, which the bench showed costing ~150 ms over a long answer.
let highlighter: Promise<{ highlight: typeof highlight }> | undefined;
/** highlight.js and its languages (~24 ms to evaluate): preloaded, so the first code block
 * of a streaming answer does not pay for it in the middle of the stream (bench: page). */
export const loadHighlighter = () => (highlighter ??= import('./highlight'));

/**
 * Fetch the renderer and the highlighter (and `also`: other lazy chunks answers use) when the
 * browser is idle; marks `<html data-markdown="ready">` once all are in.
 */
export function preloadMarkdown(also: (() => Promise<unknown>)[] = []): void {
  const start = () =>
    void Promise.all([loadMarkdown(), loadHighlighter(), ...also.map((load) => load())]).then(
      () => {
        document.documentElement.dataset.markdown = 'ready';
      },
    );
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 200);
}
