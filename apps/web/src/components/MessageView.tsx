import { memo } from 'react';
import type { Attachment, AttachmentIssue, Message } from '../chat/types';
import { Answer } from './Answer';
import { UserMessage } from './UserMessage';

interface Props {
  message: Message;
  isLastAnswer: boolean;
  busy: boolean;
  showBackend: boolean;
  /** The latest answer's image_too_large issues for this question, if any. */
  issues: AttachmentIssue[] | undefined;
  onRetry: () => void;
  onEdit: (messageId: string, text: string, attachments?: Attachment[]) => void;
}

/** Memoized: while an answer streams, only the message that changed re-renders. */
export const MessageView = memo(function MessageView({
  message,
  isLastAnswer,
  busy,
  showBackend,
  issues,
  onRetry,
  onEdit,
}: Props) {
  if (message.role === 'user')
    return (
      <UserMessage
        id={message.id}
        content={message.content}
        attachments={message.attachments}
        issues={issues}
        busy={busy}
        onEdit={onEdit}
      />
    );
  return (
    <Answer
      message={message}
      isLastAnswer={isLastAnswer}
      busy={busy}
      showBackend={showBackend}
      onRetry={onRetry}
    />
  );
});
