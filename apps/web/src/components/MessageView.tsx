import { memo } from 'react';
import type { Message } from '../chat/types';
import { Answer } from './Answer';
import { UserMessage } from './UserMessage';

interface Props {
  message: Message;
  isLastAnswer: boolean;
  busy: boolean;
  onRetry(): void;
  onEdit(messageId: string, text: string): void;
}

/** Memoized: while an answer streams, only the message that changed re-renders. */
export const MessageView = memo(function MessageView({
  message,
  isLastAnswer,
  busy,
  onRetry,
  onEdit,
}: Props) {
  if (message.role === 'user')
    return <UserMessage id={message.id} content={message.content} busy={busy} onEdit={onEdit} />;
  return <Answer message={message} isLastAnswer={isLastAnswer} busy={busy} onRetry={onRetry} />;
});
