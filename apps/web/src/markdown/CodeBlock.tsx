import { memo, useEffect, useState } from 'react';
import { CopyButton } from '../components/CopyButton';
import { loadHighlighter } from './load';

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
