import { Download, SquarePen, Upload } from 'lucide-react';
import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { Chat } from '../chat/types';
import { ChatRow } from './ChatRow';

interface Props {
  chats: Chat[];
  activeId: string | undefined;
  newChatButton: RefObject<HTMLButtonElement | null>;
  onNew: () => void;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
  onExport: () => void;
  onImport: (file: File) => void;
}

/** The chat list: new chat on top, newest first, export and import at the foot. */
export function Sidebar({ chats, activeId, newChatButton, onNew, onDelete, ...props }: Props) {
  const list = useRef<HTMLUListElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  // A chat deleted from the keyboard took the focused button with it: focus the row that took
  // its place (or the one above, or New chat), once the list has re-rendered.
  const refocusRow = useRef<number>(undefined);
  useLayoutEffect(() => {
    const index = refocusRow.current;
    if (index === undefined) return;
    refocusRow.current = undefined;
    const rows = list.current?.querySelectorAll<HTMLButtonElement>('.chat-row__title') ?? [];
    (rows[Math.min(index, rows.length - 1)] ?? newChatButton.current)?.focus();
  }, [chats, newChatButton]);
  const latestChats = useRef(chats);
  useEffect(() => {
    latestChats.current = chats;
  }, [chats]);
  // Stable, so memoized rows skip re-rendering while an answer streams.
  const remove = useCallback(
    (id: string) => {
      if (list.current?.contains(document.activeElement))
        refocusRow.current = latestChats.current.findIndex((c) => c.id === id);
      onDelete(id);
    },
    [onDelete],
  );
  return (
    <nav className="sidebar" aria-label="Chats">
      <button ref={newChatButton} type="button" className="btn btn--new" onClick={onNew}>
        <SquarePen aria-hidden="true" size={18} strokeWidth={1.75} />
        <span>New chat</span>
      </button>
      <h2 className="sidebar__heading">Recent</h2>
      <ul className="chat-list" ref={list}>
        {chats.map((chat) => (
          <ChatRow
            key={chat.id}
            id={chat.id}
            title={chat.title}
            active={chat.id === activeId}
            onSelect={props.onSelect}
            onRename={props.onRename}
            onDelete={remove}
          />
        ))}
        {chats.length === 0 && <li className="chat-list__empty">No chats yet</li>}
      </ul>
      <div className="sidebar__footer">
        <button
          type="button"
          className="btn btn--quiet"
          onClick={props.onExport}
          disabled={chats.length === 0}
        >
          <Download aria-hidden="true" size={16} />
          <span>Export chats</span>
        </button>
        <label className="btn btn--quiet file-button">
          <Upload aria-hidden="true" size={16} />
          <span>Import chats</span>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) props.onImport(file);
              if (fileInput.current) fileInput.current.value = '';
            }}
          />
        </label>
      </div>
    </nav>
  );
}
