import { useRef, useState } from 'react';
import type { Chat } from '../chat/types';

interface Props {
  chats: Chat[];
  activeId: string | undefined;
  onNew(): void;
  onSelect(id: string): void;
  onRename(id: string, title: string): void;
  onDelete(id: string): void;
  onExport(): void;
  onImport(file: File): void;
}

export function Sidebar({
  chats,
  activeId,
  onNew,
  onSelect,
  onRename,
  onDelete,
  onExport,
  onImport,
}: Props) {
  const [renaming, setRenaming] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <nav className="sidebar" aria-label="Chats">
      <button type="button" className="primary wide" onClick={onNew}>
        New chat
      </button>
      <ul className="chat-list">
        {chats.map((chat) => (
          <li key={chat.id} className={chat.id === activeId ? 'active' : undefined}>
            {renaming === chat.id ? (
              <RenameField
                title={chat.title}
                onDone={(title) => {
                  setRenaming(undefined);
                  if (title !== undefined) onRename(chat.id, title);
                }}
              />
            ) : (
              <>
                <button
                  type="button"
                  className="chat-list__title"
                  aria-current={chat.id === activeId ? 'page' : undefined}
                  onClick={() => onSelect(chat.id)}
                  title={chat.title}
                >
                  {chat.title}
                </button>
                <span className="chat-list__actions">
                  <button
                    type="button"
                    className="icon"
                    aria-label="Rename chat"
                    title="Rename chat"
                    onClick={() => setRenaming(chat.id)}
                  >
                    ✎
                  </button>
                  <button
                    type="button"
                    className="icon"
                    aria-label="Delete chat"
                    title="Delete chat"
                    onClick={() => onDelete(chat.id)}
                  >
                    ✕
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
        {chats.length === 0 && <li className="muted empty">No chats yet</li>}
      </ul>
      <div className="sidebar__footer">
        <button
          type="button"
          className="ghost small"
          onClick={onExport}
          disabled={chats.length === 0}
        >
          Export chats
        </button>
        <label className="ghost small file-button">
          Import chats
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            aria-label="Import chats"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) onImport(file);
              if (fileInput.current) fileInput.current.value = '';
            }}
          />
        </label>
      </div>
    </nav>
  );
}

function RenameField({ title, onDone }: { title: string; onDone(title?: string): void }) {
  const [value, setValue] = useState(title);
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        onDone(value);
      }}
    >
      <input
        aria-label="Chat title"
        value={value}
        autoFocus
        maxLength={120}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => onDone(value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onDone(undefined);
          }
        }}
      />
    </form>
  );
}
