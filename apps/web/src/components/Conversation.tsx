import type { RefObject } from 'react';
import type { Attachment, AttachmentIssue, Chat } from '../chat/types';
import { EmptyState } from './EmptyState';
import { MessageView } from './MessageView';

interface Props {
  chat: Chat | undefined;
  busy: boolean;
  showBackend: boolean;
  contentRef: RefObject<HTMLDivElement | null>;
  onRetry: () => void;
  onEdit: (messageId: string, text: string, attachments?: Attachment[]) => void;
  onSuggestion: (prompt: string) => void;
}

/** The messages of the open chat, or the empty state with suggested prompts. */
export function Conversation({
  chat,
  busy,
  showBackend,
  contentRef,
  onRetry,
  onEdit,
  onSuggestion,
}: Props) {
  const messages = chat?.messages ?? [];
  const lastAnswer = messages.findLast((m) => m.role === 'assistant');
  const lastAnswerId = lastAnswer?.id;
  // Only the latest answer's refusal still applies: a later answer went through.
  const issues = new Map<string, AttachmentIssue[]>();
  if (lastAnswer?.role === 'assistant')
    for (const issue of lastAnswer.attachmentIssues ?? [])
      issues.set(issue.messageId, [...(issues.get(issue.messageId) ?? []), issue]);
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
            showBackend={showBackend}
            issues={issues.get(m.id)}
            onRetry={onRetry}
            onEdit={onEdit}
          />
        ))
      )}
    </div>
  );
}
