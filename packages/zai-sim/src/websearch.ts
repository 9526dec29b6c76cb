/** One result of Z.AI's `web_search`, sent as a top-level array on a chunk or completion. */
export interface WebSearchResult {
  title: string;
  link: string;
  content: string;
  media: string;
  icon: string;
  refer: string;
  publish_date: string;
}

const TOPICS = [
  'Streaming responses explained',
  'Server-sent events in practice',
  'Keeping API keys on the server',
  'Deterministic tests for chat apps',
  'Token usage and limits',
];

/** Ordinary results: https links, plain titles, `ref_1`… in order. */
export function webSearchResults(count = 3, query = ''): WebSearchResult[] {
  const topic =
    query
      .replace(/\[sim:[^\]]*\]/g, '')
      .trim()
      .slice(0, 40) || 'the question';
  return Array.from({ length: clampCount(count) }, (_, i) => ({
    title: `${TOPICS[i % TOPICS.length] as string} (${topic})`,
    link: `https://example.com/articles/${i + 1}`,
    content: `Result ${i + 1} summarises what is known about ${topic}.`,
    media: 'Example News',
    icon: `https://example.com/icons/${i + 1}.png`,
    refer: `ref_${i + 1}`,
    publish_date: `2025-0${(i % 9) + 1}-15`,
  }));
}

/**
 * Results a UI must render inertly: markup in titles, media and content, and links and icons
 * with `javascript:` and `data:` URLs; exactly one result (the third) is an ordinary https
 * link, so a test can check that safe links still work.
 */
export function hostileWebSearchResults(count = 3): WebSearchResult[] {
  const hostile: Omit<WebSearchResult, 'refer'>[] = [
    {
      title: 'Breaking <img src=x onerror=alert(1)> news',
      link: 'javascript:alert(1)',
      content: '<script>alert("content")</script> and <b>bold</b> text',
      media: '<img src=x onerror=alert("media")>',
      icon: 'javascript:alert("icon")',
      publish_date: '2025-01-01',
    },
    {
      title: '<script>alert(2)</script>Official docs',
      link: 'data:text/html,<script>alert(2)</script>',
      content: '"><svg onload=alert(3)>',
      media: 'Docs',
      icon: 'data:image/svg+xml,<svg onload=alert(4)>',
      publish_date: '2025-02-02',
    },
    {
      title: 'A normal result',
      link: 'https://example.com/safe',
      content: 'Nothing unusual here.',
      media: 'Example',
      icon: 'https://example.com/icon.png',
      publish_date: '2025-03-03',
    },
  ];
  return Array.from({ length: clampCount(count) }, (_, i) => ({
    ...(hostile[i % hostile.length] as Omit<WebSearchResult, 'refer'>),
    refer: `ref_${i + 1}`,
  }));
}

/** A short answer citing every result as `[ref_N]`, as GLM does after a search. */
export function citingText(results: WebSearchResult[]): string {
  const cites = results.map((r, i) =>
    i === 0
      ? `According to the first source [${r.refer}], the answer is well documented.`
      : `Source ${i + 1} adds detail [${r.refer}].`,
  );
  return `${cites.join(' ')} `;
}

const clampCount = (n: number) => Math.min(Math.max(1, Math.floor(n) || 1), 20);
