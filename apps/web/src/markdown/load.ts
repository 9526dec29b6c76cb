/**
 * The markdown renderer (with math and highlighting) is a lazy chunk, kept out of the initial
 * JS. One shared import: the first answer should not wait for it, so the app starts fetching it
 * once the page is idle (`preloadMarkdown`), and the lazy component reuses the same promise.
 * Until it arrives an answer shows as plain text, which then re-lays out as markdown.
 */
const load = () => import('./Markdown');
let loading: ReturnType<typeof load> | undefined;

export const loadMarkdown = () => (loading ??= load());

/**
 * Fetch the renderer (and `also`: other lazy chunks answers use) when the browser is idle;
 * marks `<html data-markdown="ready">` once all are in.
 */
export function preloadMarkdown(also: (() => Promise<unknown>)[] = []): void {
  const start = () =>
    void Promise.all([loadMarkdown(), ...also.map((load) => load())]).then(() => {
      document.documentElement.dataset.markdown = 'ready';
    });
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 200);
}
