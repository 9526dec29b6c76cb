/**
 * The API bases this build talks to, in order of preference. `VITE_API_URL` is a comma-separated
 * list of origins (or origin + path prefix); `/` stands for this page's own origin. Unset, the
 * list is just the same origin, as before. Example: `VITE_API_URL=/,https://backup.example.com`
 * sends to the same origin and falls back to the backup.
 */
export function parseApiBases(raw: string | undefined): string[] {
  const bases = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => (entry === '/' ? '' : entry.replace(/\/+$/, '')));
  const unique = [...new Set(bases)];
  return unique.length ? unique : [''];
}

/** A short name for a base, for the quiet "answered by" note: its host, or this site's. */
export function backendLabel(base: string, here: string = globalThis.location?.host ?? ''): string {
  if (!base) return here || 'this site';
  try {
    const url = new URL(base);
    return `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return base;
  }
}
