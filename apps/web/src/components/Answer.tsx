import { RefreshCw, Sparkles } from 'lucide-react';
import { Suspense } from 'react';
import { describeError, describeFinishReason } from '../chat/errors';
import { linkCitations } from '../chat/sources';
import type { AssistantMessage } from '../chat/types';
import { backendLabel } from '../lib/backends';
import { CopyButton } from './CopyButton';
import { IconButton } from './IconButton';
import { Sources, ToolCalls } from './lazyExtras';
import { MessageContent } from './MessageContent';
import { Thinking } from './Thinking';

interface Props {
  message: AssistantMessage;
  isLastAnswer: boolean;
  busy: boolean;
  /** Several backends are configured: say quietly which one answered. */
  showBackend: boolean;
  onRetry: () => void;
}

/**
 * An answer: full width, no card; thinking, text, tool calls, sources, what went wrong, then
 * its actions.
 */
export function Answer({ message, isLastAnswer, busy, showBackend, onRetry }: Props) {
  const streaming = message.status === 'streaming';
  const toolCalls = message.toolCalls ?? [];
  const sources = message.sources ?? [];
  // The cards say it themselves ("finish reason tool_calls"); no badge on top.
  const finish = toolCalls.length ? undefined : describeFinishReason(message.finishReason);
  const anchor = `src-${message.id}`;
  const content = sources.length
    ? linkCitations(message.content, sources, anchor)
    : message.content;
  const generalIssues =
    message.error?.code === 'image_too_large'
      ? (message.error.issues ?? []).filter(
          (i) =>
            !message.attachmentIssues?.some((a) => a.message === i.message) &&
            !/^messages\.\d+\.content\.\d+$/.test(i.path),
        )
      : [];
  const answeredBy = message.answeredBy;
  return (
    <article
      className={`msg msg--assistant${isLastAnswer ? ' msg--last' : ''}`}
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      data-reconnecting={streaming && message.reconnecting ? 'true' : undefined}
      aria-busy={streaming}
    >
      <div className="msg__avatar" aria-hidden="true">
        <Sparkles size={16} strokeWidth={1.75} />
      </div>
      <div className="msg__main">
        <h2 className="visually-hidden">GLM said:</h2>
        {message.reasoning && (
          <Thinking
            text={message.reasoning}
            live={streaming && !message.content && !toolCalls.length}
          />
        )}
        {message.content ? (
          <MessageContent text={content} streaming={streaming} />
        ) : streaming && !message.reasoning && !toolCalls.length ? (
          <p className="typing" role="img" aria-label="Waiting for the answer">
            <span />
            <span />
            <span />
          </p>
        ) : null}
        {toolCalls.length > 0 && (
          <Suspense fallback={<p className="msg__note">Tool call…</p>}>
            <ToolCalls
              calls={toolCalls}
              streaming={streaming && !message.finishReason}
              finishReason={message.finishReason ?? undefined}
            />
          </Suspense>
        )}
        {sources.length > 0 && (
          <Suspense fallback={null}>
            <Sources sources={sources} anchor={anchor} />
          </Suspense>
        )}
        {streaming && message.reconnecting && (
          // Quiet: the text so far stays as it is; the answer goes on once the link is back.
          <p className="msg__note" role="status" data-testid="reconnecting">
            Reconnecting…
          </p>
        )}
        {message.status === 'stopped' && <p className="msg__note">Stopped</p>}
        {message.status === 'error' && message.error && (
          <div className="msg__error" role="alert">
            <p>{describeError(message.error.code, message.error.retryAfter)}</p>
            {generalIssues.map((issue) => (
              <p key={issue.path + issue.message}>{issue.message}.</p>
            ))}
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
            {showBackend && answeredBy && (
              <span
                data-testid="answered-by"
                data-base={answeredBy.base}
                data-instance={answeredBy.instance}
                title={`Answered by ${answeredBy.base || 'this site'}${answeredBy.instance ? ` (API instance ${answeredBy.instance})` : ''}`}
              >
                via {backendLabel(answeredBy.base)}
                {answeredBy.instance ? ` · ${answeredBy.instance}` : ''}
              </span>
            )}
          </footer>
        )}
      </div>
    </article>
  );
}
