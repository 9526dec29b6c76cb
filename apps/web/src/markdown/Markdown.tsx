import 'katex/dist/katex.min.css';
import { memo, useMemo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { splitBlocks } from './blocks';
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
    a({ href, children }) {
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

export default function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  return (
    <>
      {blocks.map((block, i) => (
        <MarkdownBlock key={i} text={block} final={!streaming || i < blocks.length - 1} />
      ))}
    </>
  );
}
