import { lazy, Suspense } from 'react';
import { loadMarkdown } from '../markdown/load';

// Markdown, math and highlighting load after the first paint; plain text shows until then.
const Markdown = lazy(loadMarkdown);

export function MessageContent({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <div className="markdown" data-testid="message-content">
      <Suspense fallback={<p className="plain">{text}</p>}>
        <Markdown text={text} streaming={streaming} />
      </Suspense>
    </div>
  );
}
