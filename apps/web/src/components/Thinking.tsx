import { ChevronRight } from 'lucide-react';

/** The model's reasoning: open while it streams, folded once the answer starts. */
export function Thinking({ text, live }: { text: string; live: boolean }) {
  return (
    <details
      className="thinking"
      data-testid="thinking"
      open={live || undefined}
      // Remount when it stops being live, so it folds even if the reader had opened it.
      key={live ? 'live' : 'done'}
    >
      <summary>
        <ChevronRight className="thinking__chevron" aria-hidden="true" size={16} />
        {live ? 'Thinking…' : 'Thinking'}
      </summary>
      <p className="plain thinking__text">{text}</p>
    </details>
  );
}
