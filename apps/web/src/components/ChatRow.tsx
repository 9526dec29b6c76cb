import { Pencil, Trash2 } from 'lucide-react';
import { memo, useRef, useState } from 'react';
import { IconButton } from './IconButton';

interface Props {
  id: string;
  title: string;
  active: boolean;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
}

/**
 * One chat in the list. Its actions show on hover and on focus, and name the chat they act on,
 * so a screen reader's button list tells them apart. Renaming returns focus to the row.
 */
export const ChatRow = memo(function ChatRow({
  id,
  title,
  active,
  onSelect,
  onRename,
  onDelete,
}: Props) {
  const [renaming, setRenaming] = useState(false);
  const titleButton = useRef<HTMLButtonElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  // After the field closes, focus goes back where the user came from (rAF: after it renders).
  const done = (value: string | undefined) => {
    setRenaming(false);
    if (value !== undefined) onRename(id, value);
    const target = value === undefined ? renameButton : titleButton;
    requestAnimationFrame(() => target.current?.focus());
  };
  return (
    <li className={`chat-row${active ? ' chat-row--active' : ''}`} data-chat-id={id}>
      {renaming ? (
        <RenameField title={title} onDone={done} />
      ) : (
        <>
          <button
            ref={titleButton}
            type="button"
            className="chat-row__title"
            aria-current={active ? 'page' : undefined}
            onClick={() => onSelect(id)}
            title={title}
          >
            {title}
          </button>
          <span className="chat-row__actions">
            <IconButton
              ref={renameButton}
              icon={Pencil}
              label={`Rename chat “${title}”`}
              onClick={() => setRenaming(true)}
            />
            <IconButton
              icon={Trash2}
              label={`Delete chat “${title}”`}
              onClick={() => onDelete(id)}
            />
          </span>
        </>
      )}
    </li>
  );
});

function RenameField({ title, onDone }: { title: string; onDone: (title?: string) => void }) {
  const [value, setValue] = useState(title);
  // Enter, Esc and blur can all end the edit; only the first one counts.
  const ended = useRef(false);
  const end = (result: string | undefined) => {
    if (ended.current) return;
    ended.current = true;
    onDone(result);
  };
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        end(value);
      }}
    >
      <input
        aria-label="Chat title"
        value={value}
        autoFocus
        maxLength={120}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => end(value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            end(undefined);
          }
        }}
      />
    </form>
  );
}
