import { CircleAlert, Pencil, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { Attachment, AttachmentIssue } from '../chat/types';
import { CopyButton } from './CopyButton';
import { IconButton } from './IconButton';
import { ImageView } from './ImageView';

interface Props {
  id: string;
  content: string;
  attachments: Attachment[] | undefined;
  /** What the API said about this question's images (image_too_large), by attachment. */
  issues: AttachmentIssue[] | undefined;
  busy: boolean;
  onEdit: (messageId: string, text: string, attachments?: Attachment[]) => void;
}

/**
 * A question: a compact bubble on the right, its images above it; Edit resends it (later
 * messages are replaced) and can drop an image the API refused.
 */
export function UserMessage({ id, content, attachments = [], issues, busy, onEdit }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(content);
  const [kept, setKept] = useState(attachments);
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
  const canSave = !!draft.trim() || kept.length > 0;
  const save = () => {
    if (!canSave) return;
    setEditing(false);
    onEdit(id, draft, kept.length === attachments.length ? undefined : kept);
  };
  const issueFor = (a: Attachment) => issues?.find((i) => i.attachmentId === a.id);

  return (
    <article className="msg msg--user" data-testid="message" data-role="user">
      <h2 className="visually-hidden">You said:</h2>
      {editing ? (
        <div className="msg__edit">
          {kept.length > 0 && (
            <ul className="attachments attachments--edit" aria-label="Attached images">
              {kept.map((a) => (
                <li key={a.id} className="attachment">
                  <ImageView attachment={a} className="attachment__thumb" />
                  <span className="attachment__text">
                    <span className="attachment__name">{a.name}</span>
                    {issueFor(a) && (
                      <span className="attachment__error">{issueFor(a)!.message}</span>
                    )}
                  </span>
                  <IconButton
                    icon={X}
                    label={`Remove ${a.name}`}
                    onClick={() => setKept((list) => list.filter((k) => k.id !== a.id))}
                  />
                </li>
              ))}
            </ul>
          )}
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
            <button type="button" className="btn btn--primary" onClick={save} disabled={!canSave}>
              Save &amp; send
            </button>
          </div>
        </div>
      ) : (
        <>
          {attachments.length > 0 && (
            <ul className="msg__images" aria-label="Attached images">
              {attachments.map((a) => {
                const issue = issueFor(a);
                const issueId = `issue-${id}-${a.id}`;
                return (
                  <li
                    key={a.id}
                    className={`msg__image-item${issue ? ' msg__image-item--refused' : ''}`}
                    data-testid="message-attachment"
                    aria-describedby={issue ? issueId : undefined}
                  >
                    <ImageView attachment={a} className="msg__image" />
                    {issue && (
                      <p className="attachment-issue" id={issueId} data-testid="attachment-issue">
                        <CircleAlert aria-hidden="true" size={14} />
                        {issue.message}
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {content && (
            <div className="msg__bubble" data-testid="message-content">
              <p className="plain">{content}</p>
            </div>
          )}
          <div className="msg__actions">
            {content && <CopyButton text={content} label="Copy message" />}
            <IconButton
              ref={editButton}
              icon={Pencil}
              label="Edit message"
              disabled={busy}
              onClick={() => {
                setDraft(content);
                setKept(attachments);
                setEditing(true);
              }}
            />
          </div>
        </>
      )}
    </article>
  );
}
