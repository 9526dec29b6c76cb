import { memo, useEffect, useState } from 'react';
import { CopyButton } from '../components/CopyButton';
import type { highlight as highlightFn } from './highlight';

// One import for the page: each import() call makes Vite's preload helper query the whole
// document for the chunk's CSS link, which the bench showed costing ~150 ms over a long answer.
let highlighter: Promise<{ highlight: typeof highlightFn }> | undefined;
const loadHighlighter = () => (highlighter ??= import('./highlight'));

interface Props {
  code: string;
  language: string | undefined;
  /** False while this block is still streaming: highlighting waits until its text is final. */
  highlight: boolean;
}

export const CodeBlock = memo(function CodeBlock({ code, language, highlight }: Props) {
  const [html, setHtml] = useState<string>();
  useEffect(() => {
    if (!highlight || !language) return;
    let live = true;
    void loadHighlighter().then((m) => live && setHtml(m.highlight(code, language)));
    return () => {
      live = false;
    };
  }, [code, language, highlight]);

  return (
    <div className="code-block">
      <div className="code-block__bar">
        <span className="code-block__lang">{language ?? 'text'}</span>
        <CopyButton text={code} label="Copy code" />
      </div>
      {/* Focusable: a long line scrolls sideways, and keyboard users must be able to scroll it. */}
      <pre tabIndex={0}>
        {html && highlight ? (
          <code
            className={`hljs language-${language}`}
            dangerouslySetInnerHTML={{ __html: html }}
          />
        ) : (
          <code className={language ? `language-${language}` : undefined}>{code}</code>
        )}
      </pre>
    </div>
  );
});
