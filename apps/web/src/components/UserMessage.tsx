import { Pencil } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { CopyButton } from './CopyButton';
import { IconButton } from './IconButton';

interface Props {
  id: string;
  content: string;
  busy: boolean;
  onEdit(messageId: string, text: string): void;
}

/** A question: a compact bubble on the right; Edit resends it (later messages are replaced). */
export function UserMessage({ id, content, busy, onEdit }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(content);
  const area = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  // Cancelling (Esc or the button) returns focus to Edit, which the field had replaced.
  const refocusEdit = useRef(false);
  useEffect(() => {
    if (editing) area.current?.focus();
    else if (refocusEdit.current) {
      refocusEdit.current = false;
      editButton.current?.focus();
    }
  }, [editing]);
  const cancel = () => {
    refocusEdit.current = true;
    setEditing(false);
  };
  const save = () => {
    setEditing(false);
    if (draft.trim()) onEdit(id, draft);
  };

  return (
    <article className="msg msg--user" data-testid="message" data-role="user">
      <h2 className="visually-hidden">You said:</h2>
      {editing ? (
        <div className="msg__edit">
          <label className="visually-hidden" htmlFor={`edit-${id}`}>
            Edit message
          </label>
          <textarea
            id={`edit-${id}`}
            ref={area}
            className="msg__edit-area"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                save();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                cancel();
              }
            }}
          />
          <div className="msg__edit-actions">
            <button type="button" className="btn btn--quiet" onClick={cancel}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn--primary"
              onClick={save}
              disabled={!draft.trim()}
            >
              Save &amp; send
            </button>
          </div>
        </div>
      ) : (
        <>
          <div className="msg__bubble" data-testid="message-content">
            <p className="plain">{content}</p>
          </div>
          <div className="msg__actions">
            <CopyButton text={content} label="Copy message" />
            <IconButton
              ref={editButton}
              icon={Pencil}
              label="Edit message"
              disabled={busy}
              onClick={() => {
                setDraft(content);
                setEditing(true);
              }}
            />
          </div>
        </>
      )}
    </article>
  );
}
