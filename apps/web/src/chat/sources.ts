/** One web-search result as a chat keeps it: plain strings, never markup. */
export interface Source {
  title: string;
  /** The link as received; only `safeLink` of it is ever put in an href. */
  link: string;
  media: string;
  refer: string;
  date: string;
}

const MAX_SOURCES = 50;
const MAX_CHARS = 500;

const text = (v: unknown): string =>
  typeof v === 'string' ? v.replace(/\s+/g, ' ').trim().slice(0, MAX_CHARS) : '';

/**
 * The link as an href when it is an absolute http(s) URL, else undefined. Results come from
 * the web through Z.AI: a `javascript:`, `data:`, `vbscript:`, `file:` or relative link (or one
 * that only parses after the browser's own cleanup, e.g. with control characters or
 * `java\tscript:`) is never made clickable; it is shown as text instead.
 */
export function safeLink(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  // URL parsing strips tabs and newlines inside a scheme; refuse them rather than trust it.
  // eslint-disable-next-line no-control-regex
  if (!value || /[\u0000-\u001f\u007f\s]/.test(value)) return undefined;
  if (!/^https?:\/\//i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  return url.href;
}

/** The fields of Z.AI's `WebSearchResult` a source keeps, of any type until checked. */
interface ResultLike {
  title?: unknown;
  link?: unknown;
  media?: unknown;
  refer?: unknown;
  publish_date?: unknown;
}

/** Any object can be read as a result: every field is checked when it is read. */
const isResultLike = (v: unknown): v is ResultLike => typeof v === 'object' && v !== null;

/** Z.AI's `web_search` array as sources: every field a bounded string, at most 50 results. */
export function toSources(results: readonly ResultLike[] | null | undefined): Source[] {
  // Checked again at run time: the array and its entries came over the network.
  if (!Array.isArray(results)) return [];
  const entries: readonly unknown[] = results;
  return entries.slice(0, MAX_SOURCES).flatMap((r) => {
    if (!isResultLike(r)) return [];
    const source: Source = {
      title: text(r.title),
      link: text(r.link),
      media: text(r.media),
      refer: text(r.refer),
      date: text(r.publish_date),
    };
    return source.title || source.link ? [source] : [];
  });
}

/** Stored or imported sources, checked field by field (an import file came from outside). */
export function readSources(raw: unknown): Source[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const sources = raw.slice(0, MAX_SOURCES).flatMap((r) => {
    if (typeof r !== 'object' || r === null) return [];
    const o = r as Record<string, unknown>;
    const source: Source = {
      title: text(o.title),
      link: text(o.link),
      media: text(o.media),
      refer: text(o.refer),
      date: text(o.date),
    };
    return source.title || source.link ? [source] : [];
  });
  return sources.length ? sources : undefined;
}

/**
 * GLM cites results as `[ref_N]`. With the sources known, each becomes a markdown link to the
 * numbered entry of this answer's source list (a fragment link, so it never leaves the page).
 */
export function linkCitations(content: string, sources: readonly Source[], anchor: string): string {
  if (!sources.length) return content;
  return content.replace(/\[(ref_\d+)\]/g, (whole, refer: string) => {
    const n = sources.findIndex((s) => s.refer === refer) + 1;
    return n > 0 ? `[\\[${n}\\]](#${anchor}-${n})` : whole;
  });
}
