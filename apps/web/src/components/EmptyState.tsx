import { BookOpen, Code2, type LucideIcon, ListChecks, Sigma } from 'lucide-react';

interface Suggestion {
  icon: LucideIcon;
  title: string;
  prompt: string;
}

export const SUGGESTIONS: Suggestion[] = [
  {
    icon: BookOpen,
    title: 'Explain a concept',
    prompt: 'Explain how HTTPS keeps a connection private, step by step.',
  },
  {
    icon: Code2,
    title: 'Write some code',
    prompt: 'Write a TypeScript function that debounces another function, with a short test.',
  },
  {
    icon: ListChecks,
    title: 'Make a plan',
    prompt: 'Plan a three-day trip to Kyoto as a checklist, with one quiet morning.',
  },
  {
    icon: Sigma,
    title: 'Work through maths',
    prompt: 'Derive the formula for the sum of the first n squares and show it in LaTeX.',
  },
];

/** A new chat: what to do, and a few prompts to start from (each sends at once). */
export function EmptyState({ onPick }: { onPick: (prompt: string) => void }) {
  return (
    <div className="empty">
      <h2 className="empty__title">What can I help with?</h2>
      <p className="empty__hint">
        Answers stream in as they are written. Enter sends, Shift+Enter adds a line, Esc stops.
      </p>
      <ul className="suggestions" aria-label="Suggested prompts">
        {SUGGESTIONS.map(({ icon: Icon, title, prompt }) => (
          <li key={title}>
            <button type="button" className="suggestion" onClick={() => onPick(prompt)}>
              <Icon aria-hidden="true" size={18} strokeWidth={1.75} />
              <span className="suggestion__title">{title}</span>
              <span className="suggestion__prompt">{prompt}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
