import { ArrowUp, Square } from 'lucide-react';
import { type ReactNode, forwardRef, useState } from 'react';

interface Props {
  streaming: boolean;
  disabled: boolean;
  onSend(text: string): void;
  onStop(): void;
  /** Above the text (attachment thumbnails). */
  attachments?: ReactNode;
  /** Left of the send button (an attach button, toggles). */
  tools?: ReactNode;
}

/**
 * The message box. It grows with its text (CSS `field-sizing`, capped), Enter sends and
 * Shift+Enter adds a line; while an answer streams the round button stops it.
 */
export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { streaming, disabled, onSend, onStop, attachments, tools },
  ref,
) {
  const [text, setText] = useState('');
  const send = () => {
    if (streaming || disabled || !text.trim()) return;
    onSend(text);
    setText('');
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {attachments && <div className="composer__attachments">{attachments}</div>}
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        className="composer__input"
        value={text}
        rows={1}
        placeholder="Message GLM…"
        aria-describedby="composer-hint"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div className="composer__toolbar">
        <div className="composer__tools">{tools}</div>
        <p id="composer-hint" className="composer__hint">
          Enter to send · Shift+Enter for a new line · Esc to stop
        </p>
        {streaming ? (
          <button
            type="button"
            className="send-btn send-btn--stop"
            onClick={onStop}
            aria-label="Stop"
            title="Stop (Esc)"
            aria-keyshortcuts="Escape"
          >
            <Square aria-hidden="true" size={14} fill="currentColor" />
          </button>
        ) : (
          <button
            type="submit"
            className="send-btn"
            disabled={disabled || !text.trim()}
            aria-label="Send"
            title="Send (Enter)"
          >
            <ArrowUp aria-hidden="true" size={18} strokeWidth={2.25} />
          </button>
        )}
      </div>
    </form>
  );
});
