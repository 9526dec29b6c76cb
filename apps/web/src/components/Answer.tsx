import { RefreshCw, Sparkles } from 'lucide-react';
import { describeError, describeFinishReason } from '../chat/errors';
import type { AssistantMessage } from '../chat/types';
import { CopyButton } from './CopyButton';
import { IconButton } from './IconButton';
import { MessageContent } from './MessageContent';
import { Thinking } from './Thinking';

interface Props {
  message: AssistantMessage;
  isLastAnswer: boolean;
  busy: boolean;
  onRetry(): void;
}

/** An answer: full width, no card; thinking, text, what went wrong, then its actions. */
export function Answer({ message, isLastAnswer, busy, onRetry }: Props) {
  const streaming = message.status === 'streaming';
  const finish = describeFinishReason(message.finishReason);
  return (
    <article
      className={`msg msg--assistant${isLastAnswer ? ' msg--last' : ''}`}
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      aria-busy={streaming}
    >
      <div className="msg__avatar" aria-hidden="true">
        <Sparkles size={16} strokeWidth={1.75} />
      </div>
      <div className="msg__main">
        <h2 className="visually-hidden">GLM said:</h2>
        {message.reasoning && (
          <Thinking text={message.reasoning} live={streaming && !message.content} />
        )}
        {message.content ? (
          <MessageContent text={message.content} streaming={streaming} />
        ) : streaming && !message.reasoning ? (
          <p className="typing" role="img" aria-label="Waiting for the answer">
            <span />
            <span />
            <span />
          </p>
        ) : null}
        {message.status === 'stopped' && <p className="msg__note">Stopped</p>}
        {message.status === 'error' && message.error && (
          <div className="msg__error" role="alert">
            <p>{describeError(message.error.code, message.error.retryAfter)}</p>
            {message.error.requestId && (
              <p className="msg__error-id">Request id: {message.error.requestId}</p>
            )}
            {isLastAnswer && (
              <button type="button" className="btn btn--primary" onClick={onRetry} disabled={busy}>
                Retry
              </button>
            )}
          </div>
        )}
        {!streaming && (
          <footer className="msg__meta">
            <span className="msg__actions">
              {message.content && <CopyButton text={message.content} label="Copy answer" />}
              {isLastAnswer && message.status !== 'error' && (
                <IconButton icon={RefreshCw} label="Regenerate" onClick={onRetry} disabled={busy} />
              )}
            </span>
            {finish && (
              <span className="badge" data-testid="finish-reason">
                {finish}
              </span>
            )}
            {message.usage && (
              <span data-testid="usage" title="Tokens: prompt + completion = total">
                {message.usage.total_tokens} tokens
                <span className="visually-hidden">
                  {' '}
                  ({message.usage.prompt_tokens} prompt, {message.usage.completion_tokens} answer)
                </span>
              </span>
            )}
            {message.model && <span>{message.model}</span>}
          </footer>
        )}
      </div>
    </article>
  );
}
