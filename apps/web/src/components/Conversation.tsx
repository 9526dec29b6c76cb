import type { RefObject } from 'react';
import type { Chat } from '../chat/types';
import { EmptyState } from './EmptyState';
import { MessageView } from './MessageView';

interface Props {
  chat: Chat | undefined;
  busy: boolean;
  contentRef: RefObject<HTMLDivElement | null>;
  onRetry(): void;
  onEdit(messageId: string, text: string): void;
  onSuggestion(prompt: string): void;
}

/** The messages of the open chat, or the empty state with suggested prompts. */
export function Conversation({ chat, busy, contentRef, onRetry, onEdit, onSuggestion }: Props) {
  const messages = chat?.messages ?? [];
  const lastAnswerId = messages.findLast((m) => m.role === 'assistant')?.id;
  return (
    <div className="conversation__content" ref={contentRef}>
      {messages.length === 0 ? (
        <EmptyState onPick={onSuggestion} />
      ) : (
        messages.map((m) => (
          <MessageView
            key={m.id}
            message={m}
            isLastAnswer={m.id === lastAnswerId}
            busy={busy}
            onRetry={onRetry}
            onEdit={onEdit}
          />
        ))
      )}
    </div>
  );
}
