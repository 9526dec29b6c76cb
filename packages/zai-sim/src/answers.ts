/** Deterministic answer text: the same prompt always yields the same words. */

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Seeded PRNG (mulberry32): deterministic answers here, replayable random runs in tests. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the model streams each token as soon as it is ready so the reader sees the answer grow ' +
  'a relay keeps the key on the server and passes every chunk through without delay ' +
  'simulated answers are deterministic which keeps tests repeatable and benchmarks fair ' +
  'context matters and a good answer is short clear and correct'
).split(' ');

function sentence(rand: () => number): string {
  const n = 6 + Math.floor(rand() * 8);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** Split text into pieces of about `count` chunks, keeping whitespace so pieces rejoin exactly. */
export function splitIntoChunks(text: string, count: number): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  if (count <= 0 || words.length === 0) return [text];
  const per = Math.max(1, Math.ceil(words.length / count));
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += per) chunks.push(words.slice(i, i + per).join(''));
  return chunks;
}

export function answerFor(prompt: string, words = 60): string {
  const rand = prng(hash(prompt));
  const excerpt = prompt
    .replace(/\[sim:[^\]]*\]/g, '')
    .trim()
    .slice(0, 60);
  const parts = [`Simulated answer to "${excerpt}".`];
  let count = 0;
  while (count < words) {
    const s = sentence(rand);
    count += s.split(' ').length;
    parts.push(s);
  }
  return parts.join(' ');
}

export function reasoningFor(prompt: string): string {
  const rand = prng(hash(`reasoning:${prompt}`));
  return `Let me think about this step by step. ${sentence(rand)} ${sentence(rand)} So the answer should be brief.`;
}

const MARKDOWN_SECTION = `## Section {n}

Some **bold**, some *italic*, \`inline code\` and a [safe link](https://example.com/{n}).

- a list item
- another item
  - nested

- [x] a done task
- [ ] an open task

| model | context | note |
| --- | ---: | --- |
| glm-4.6 | 200k | flagship |
| glm-4.5-air | 128k | fast |

\`\`\`ts
export function add(a: number, b: number): number {
  return a + b; // section {n}
}
\`\`\`

Inline math $e^{i\\pi} + 1 = 0$ and a block:

$$
\\int_0^1 x^2\\,dx = \\frac{1}{3}
$$

> A quote to close section {n}.

`;

/** Long markdown with headings, lists, a table, code and math; repeated up to `size` characters. */
export function markdownAnswer(size = 4000): string {
  let text = '# A long markdown answer\n\n';
  for (let n = 1; text.length < size; n++) text += MARKDOWN_SECTION.replaceAll('{n}', String(n));
  return text;
}
