import { hostileWebSearchResults, webSearchResults } from '@zai-chat/zai-sim';
import { expect, test } from 'vitest';
import { linkCitations, readSources, safeLink, toSources } from './sources';

test('only absolute http(s) links become hrefs', () => {
  expect(safeLink('https://example.com/a?b=1#c')).toBe('https://example.com/a?b=1#c');
  expect(safeLink('http://example.com')).toBe('http://example.com/');
  expect(safeLink('  HTTPS://Example.com/x  ')).toBe('https://example.com/x');
  for (const bad of [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'https://exa\nmple.com',
    'data:text/html,<script>alert(2)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//example.com/protocol-relative',
    '/relative/path',
    'https://user:pass@example.com/',
    'ftp://example.com/file',
    '',
    42,
    null,
  ]) {
    expect(safeLink(bad), String(bad)).toBeUndefined();
  }
});

test('the simulator’s hostile results keep their text but only the https link is safe', () => {
  const sources = toSources(hostileWebSearchResults(3));
  expect(sources.map((s) => s.title)).toEqual([
    'Breaking <img src=x onerror=alert(1)> news',
    '<script>alert(2)</script>Official docs',
    'A normal result',
  ]);
  expect(sources.map((s) => safeLink(s.link))).toEqual([
    undefined,
    undefined,
    'https://example.com/safe',
  ]);
  expect(sources.map((s) => s.refer)).toEqual(['ref_1', 'ref_2', 'ref_3']);
});

test('results are bounded strings; junk entries are dropped', () => {
  const long = 'x'.repeat(5000);
  const sources = toSources([
    { title: long, link: 'https://example.com' },
    { title: null, link: null },
    null as never,
    { title: 'Multi\n  line\ttitle', link: 'https://example.com/2', publish_date: '2025-01-01' },
  ]);
  expect(sources).toHaveLength(2);
  expect(sources[0]?.title).toHaveLength(500);
  expect(sources[1]).toEqual({
    title: 'Multi line title',
    link: 'https://example.com/2',
    media: '',
    refer: '',
    date: '2025-01-01',
  });
  expect(toSources(undefined)).toEqual([]);
  expect(toSources(webSearchResults(60))).toHaveLength(20);
});

test('stored sources are re-read field by field', () => {
  expect(readSources('nope')).toBeUndefined();
  expect(readSources([])).toBeUndefined();
  expect(readSources([{ title: 5, link: 'https://a.example', extra: '<b>' }, 7])).toEqual([
    { title: '', link: 'https://a.example', media: '', refer: '', date: '' },
  ]);
});

test('[ref_N] citations become links to the numbered source; unknown ones stay', () => {
  const sources = toSources(webSearchResults(2));
  expect(linkCitations('See [ref_2] and [ref_1], not [ref_9].', sources, 'src-m1')).toBe(
    'See [\\[2\\]](#src-m1-2) and [\\[1\\]](#src-m1-1), not [ref_9].',
  );
  expect(linkCitations('No sources [ref_1]', [], 'a')).toBe('No sources [ref_1]');
});
