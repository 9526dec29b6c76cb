import { memo, useEffect, useRef, useState } from 'react';
import { describeError, describeFinishReason } from '../chat/errors';
import type { AssistantMessage, Message } from '../chat/types';
import { CopyButton } from './CopyButton';
import { MessageContent } from './MessageContent';

interface Props {
  message: Message;
  isLastAnswer: boolean;
  busy: boolean;
  onRetry(): void;
  onEdit(messageId: string, text: string): void;
}

export const MessageView = memo(function MessageView({
  message,
  isLastAnswer,
  busy,
  onRetry,
  onEdit,
}: Props) {
  if (message.role === 'user')
    return (
      <UserMessageView id={message.id} content={message.content} busy={busy} onEdit={onEdit} />
    );
  return <AnswerView message={message} isLastAnswer={isLastAnswer} busy={busy} onRetry={onRetry} />;
});

function UserMessageView({
  id,
  content,
  busy,
  onEdit,
}: {
  id: string;
  content: string;
  busy: boolean;
  onEdit: Props['onEdit'];
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(content);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (editing) area.current?.focus();
  }, [editing]);

  if (editing) {
    const save = () => {
      setEditing(false);
      if (draft.trim()) onEdit(id, draft);
    };
    return (
      <article className="message message--user" data-testid="message" data-role="user">
        <label className="visually-hidden" htmlFor={`edit-${id}`}>
          Edit message
        </label>
        <textarea
          id={`edit-${id}`}
          ref={area}
          className="edit-area"
          value={draft}
          rows={Math.min(10, draft.split('\n').length + 1)}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              save();
            } else if (e.key === 'Escape') {
              e.stopPropagation();
              setEditing(false);
            }
          }}
        />
        <div className="message__actions">
          <button type="button" className="primary small" onClick={save} disabled={!draft.trim()}>
            Save &amp; send
          </button>
          <button type="button" className="ghost small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </article>
    );
  }
  return (
    <article className="message message--user" data-testid="message" data-role="user">
      <div className="message__body" data-testid="message-content">
        <p className="plain">{content}</p>
      </div>
      <div className="message__actions">
        <button
          type="button"
          className="ghost small"
          disabled={busy}
          onClick={() => {
            setDraft(content);
            setEditing(true);
          }}
        >
          Edit message
        </button>
      </div>
    </article>
  );
}

function AnswerView({
  message,
  isLastAnswer,
  busy,
  onRetry,
}: {
  message: AssistantMessage;
  isLastAnswer: boolean;
  busy: boolean;
  onRetry(): void;
}) {
  const streaming = message.status === 'streaming';
  const thinkingOpen = streaming && !message.content;
  const finish = describeFinishReason(message.finishReason);
  return (
    <article
      className="message message--assistant"
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      aria-busy={streaming}
    >
      {message.reasoning && (
        <details
          className="thinking"
          data-testid="thinking"
          open={thinkingOpen || undefined}
          key={thinkingOpen ? 'open' : 'closed'}
        >
          <summary>Thinking{thinkingOpen ? '…' : ''}</summary>
          <p className="plain thinking__text">{message.reasoning}</p>
        </details>
      )}
      {message.content ? (
        <MessageContent text={message.content} streaming={streaming} />
      ) : streaming && !message.reasoning ? (
        <p className="typing" aria-label="Waiting for the answer">
          <span />
          <span />
          <span />
        </p>
      ) : null}
      {message.status === 'stopped' && <p className="note">Stopped</p>}
      {message.status === 'error' && message.error && (
        <div className="error" role="alert">
          <p>{describeError(message.error.code, message.error.retryAfter)}</p>
          {message.error.requestId && (
            <p className="error__id">Request id: {message.error.requestId}</p>
          )}
          {isLastAnswer && (
            <button type="button" className="primary small" onClick={onRetry} disabled={busy}>
              Retry
            </button>
          )}
        </div>
      )}
      {!streaming && (
        <footer className="message__meta">
          {finish && (
            <span className="badge" data-testid="finish-reason">
              {finish}
            </span>
          )}
          {message.usage && (
            <span data-testid="usage" title="Tokens: prompt + completion = total">
              {message.usage.prompt_tokens} + {message.usage.completion_tokens} ={' '}
              {message.usage.total_tokens} tokens
            </span>
          )}
          {message.model && <span className="muted">{message.model}</span>}
          <span className="message__actions">
            {message.content && <CopyButton text={message.content} label="Copy answer" />}
            {isLastAnswer && message.status !== 'error' && (
              <button type="button" className="ghost small" onClick={onRetry} disabled={busy}>
                Regenerate
              </button>
            )}
          </span>
        </footer>
      )}
    </article>
  );
}
