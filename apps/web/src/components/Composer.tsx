import { forwardRef, useState } from 'react';

interface Props {
  streaming: boolean;
  disabled: boolean;
  onSend(text: string): void;
  onStop(): void;
}

/** Enter sends, Shift+Enter adds a line; while an answer streams the button stops it. */
export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { streaming, disabled, onSend, onStop },
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
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        value={text}
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        placeholder="Message GLM…  (Enter to send, Shift+Enter for a new line)"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      {streaming ? (
        <button type="button" className="danger" onClick={onStop} aria-keyshortcuts="Escape">
          Stop
        </button>
      ) : (
        <button type="submit" className="primary" disabled={disabled || !text.trim()}>
          Send
        </button>
      )}
    </form>
  );
});
