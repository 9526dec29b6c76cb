import { ArrowUp, Square } from 'lucide-react';
import { type ReactNode, forwardRef, useState } from 'react';

interface Props {
  streaming: boolean;
  disabled: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  /** Above the text (attachment thumbnails). */
  attachments?: ReactNode;
  /** Left of the send button (an attach button, toggles). */
  tools?: ReactNode;
  /** Images wait to be sent: a message may then have no text. */
  hasAttachments?: boolean;
  /** Something attached cannot be sent yet (preparing, or over a limit). */
  blocked?: boolean;
  /** Images pasted into the box (only offered when the model reads images). */
  onPasteFiles?: (files: File[]) => void;
}

/**
 * The message box. It grows with its text (CSS `field-sizing`, capped), Enter sends and
 * Shift+Enter adds a line; while an answer streams the round button stops it.
 */
export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  {
    streaming,
    disabled,
    onSend,
    onStop,
    attachments,
    tools,
    hasAttachments,
    blocked,
    onPasteFiles,
  },
  ref,
) {
  const [text, setText] = useState('');
  const canSend = !disabled && !blocked && (!!text.trim() || !!hasAttachments);
  const send = () => {
    if (streaming || !canSend) return;
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
        onPaste={(e) => {
          if (!onPasteFiles) return;
          const files = [...e.clipboardData.files].filter((f) => f.type.startsWith('image/'));
          if (!files.length) return;
          // A screenshot pastes as a file alone; copied content with text keeps its text too.
          if (!e.clipboardData.getData('text/plain')) e.preventDefault();
          onPasteFiles(files);
        }}
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
            disabled={!canSend}
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
