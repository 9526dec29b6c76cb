import 'katex/dist/katex.min.css';
import { memo, useState } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { BlockGrouper, BlockSplitter } from './blocks';
import { CodeBlock } from './CodeBlock';

const remarkPlugins = [remarkGfm, remarkMath];
const rehypePlugins = [rehypeKatex];

/** The hast node react-markdown passes to components, reduced to what reading text needs. */
interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

function textOf(node: HastNode): string {
  if (node.type === 'text') return node.value ?? '';
  return node.children?.map(textOf).join('') ?? '';
}

function componentsFor(final: boolean): Components {
  return {
    pre({ node }) {
      const code = (node as HastNode | undefined)?.children?.find((c) => c.tagName === 'code');
      const classes = (code?.properties?.className as string[] | undefined) ?? [];
      const language = classes.find((c) => c.startsWith('language-'))?.slice('language-'.length);
      const text = code ? textOf(code).replace(/\n$/, '') : '';
      return <CodeBlock code={text} language={language} highlight={final} />;
    },
    // GFM task items: a disabled checkbox needs a name of its own (axe: label).
    input({ type, checked }) {
      if (type !== 'checkbox') return null;
      return (
        <input
          type="checkbox"
          checked={!!checked}
          disabled
          readOnly
          aria-label={checked ? 'Done' : 'Not done'}
        />
      );
    },
    a({ href, children }) {
      // A citation ([ref_N] → "[N]") points at this answer's own source list: stay on the page.
      if (href?.startsWith('#'))
        return (
          <a href={href} className="citation">
            {children}
          </a>
        );
      return (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow">
          {children}
        </a>
      );
    },
  };
}
const finalComponents = componentsFor(true);
const streamingComponents = componentsFor(false);

/**
 * One top-level block. Raw HTML in the text is shown as text, never run: react-markdown
 * renders no HTML without rehype-raw, and its URL transform drops `javascript:` links.
 */
const MarkdownBlock = memo(function MarkdownBlock({
  text,
  final,
}: {
  text: string;
  final: boolean;
}) {
  return (
    <div className={final ? 'md-block md-block--final' : 'md-block'}>
      <ReactMarkdown
        remarkPlugins={remarkPlugins}
        rehypePlugins={rehypePlugins}
        components={final ? finalComponents : streamingComponents}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});

/** Finished blocks, memoized as a group: a full group never re-renders. */
const BlockGroup = memo(function BlockGroup({ blocks }: { blocks: readonly string[] }) {
  return (
    <div className="md-group">
      {blocks.map((block, i) => (
        <MarkdownBlock key={i} text={block} final />
      ))}
    </div>
  );
});

/**
 * A streaming answer costs the same per chunk at 1 KB and at 100 KB: the splitter re-scans
 * only the open tail block, finished blocks sit in memoized groups, and only the tail renders.
 */
export default function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  // Both are caches keyed by the text; calling them twice with one text (StrictMode) is harmless.
  const [splitter] = useState(() => new BlockSplitter());
  const [grouper] = useState(() => new BlockGrouper());
  const { finished, tail } = splitter.update(text);
  const groups = grouper.update(finished);
  return (
    <>
      {groups.map((group, i) => (
        <BlockGroup key={i} blocks={group} />
      ))}
      {tail && <MarkdownBlock key="tail" text={tail} final={!streaming} />}
    </>
  );
}
