import { useCallback, useEffect, useRef, useState } from 'react';
import { useChats } from './chat/useChats';
import type { Chat } from './chat/types';
import { Composer } from './components/Composer';
import { MessageView } from './components/MessageView';
import { SettingsDialog } from './components/SettingsDialog';
import { Sidebar } from './components/Sidebar';
import { useApiConfig } from './lib/useApiConfig';
import { useHealth } from './lib/useHealth';
import { useTheme } from './lib/useTheme';
import { exportChats, ImportError, parseChatExport } from './storage/export';
import { loadDefaultSettings } from './chat/settings';

const UNDO_MS = 8000;

export function App() {
  const [announcement, setAnnouncement] = useState('');
  const announce = useCallback((text: string) => setAnnouncement(text), []);
  const chats = useChats(announce);
  const { connection, health } = useHealth();
  const apiConfig = useApiConfig();
  const [theme, toggleTheme] = useTheme();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [deleted, setDeleted] = useState<Chat>();
  const [notice, setNotice] = useState<string>();
  const composer = useRef<HTMLTextAreaElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const { active, isStreaming, stop } = chats;

  // Esc stops the answer from anywhere on the page.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (isStreaming) stop();
      else setSidebarOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [isStreaming, stop]);

  useEffect(() => {
    if (!deleted) return;
    const timer = setTimeout(() => setDeleted(undefined), UNDO_MS);
    return () => clearTimeout(timer);
  }, [deleted]);

  // Follow a streaming answer unless the reader scrolled up to read something else. Only the
  // reader's own gestures stop following (our programmatic scrolls and focus changes fire
  // scroll events too); reaching the bottom again, or sending, resumes it.
  useEffect(() => {
    const atBottom = () =>
      window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 80;
    const onScroll = () => {
      if (atBottom()) stickToBottom.current = true;
    };
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY < 0) stickToBottom.current = false;
    };
    const onTouchMove = () => {
      stickToBottom.current = atBottom();
    };
    const onKey = (e: KeyboardEvent) => {
      const typing =
        e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement;
      if (!typing && ['PageUp', 'ArrowUp', 'Home'].includes(e.key)) stickToBottom.current = false;
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('wheel', onWheel, { passive: true });
    window.addEventListener('touchmove', onTouchMove, { passive: true });
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('wheel', onWheel);
      window.removeEventListener('touchmove', onTouchMove);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  const messageCount = active?.messages.length ?? 0;
  useEffect(() => {
    stickToBottom.current = true;
  }, [messageCount, active?.id]);
  useEffect(() => {
    if (stickToBottom.current) bottom.current?.scrollIntoView({ block: 'end' });
  }, [active?.messages]);

  useEffect(() => {
    composer.current?.focus();
  }, [active?.id]);

  const lastAnswerId = active?.messages.findLast((m) => m.role === 'assistant')?.id;
  const onEdit = chats.edit;
  const onRetry = chats.regenerate;

  const download = () => {
    const blob = new Blob([exportChats(chats.chats)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `zai-chat-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const importFile = async (file: File) => {
    try {
      const imported = parseChatExport(await file.text());
      chats.importChats(imported);
      setNotice(`Imported ${imported.length} chat${imported.length === 1 ? '' : 's'}.`);
    } catch (err) {
      setNotice(err instanceof ImportError ? `Import failed: ${err.message}` : 'Import failed.');
    }
  };

  return (
    <div className={`layout${sidebarOpen ? ' layout--sidebar-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="ghost show-chats"
          aria-expanded={sidebarOpen}
          aria-controls="sidebar"
          onClick={() => setSidebarOpen((v) => !v)}
        >
          Show chats
        </button>
        <h1>zai-chat</h1>
        <span
          className="connection"
          data-testid="connection"
          data-state={connection}
          title={`API: ${connection}`}
        >
          <span className="dot" aria-hidden="true" />
          {connection === 'online'
            ? 'Online'
            : connection === 'offline'
              ? 'Offline'
              : 'Connecting…'}
        </span>
        <button
          type="button"
          className="ghost"
          onClick={() => setSettingsOpen(true)}
          disabled={!active && !chats.loaded}
        >
          Settings
        </button>
        <button
          type="button"
          className="ghost"
          onClick={toggleTheme}
          aria-label="Toggle theme"
          title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>

      <div className="banners">
        {health?.upstream === 'simulator' && (
          <div className="banner" role="status">
            Demo mode: the API is answering from the Z.AI <strong>simulator</strong>, not the real
            Z.AI. Set <code>ZAI_API_KEY</code> on the server to use GLM.
          </div>
        )}
        {connection === 'offline' && (
          <div className="banner banner--warn" role="status">
            The API cannot be reached. Your chats are safe in this browser; sending will work again
            when it is back.
          </div>
        )}
        {chats.storageError && (
          <div className="banner banner--warn" role="status">
            {chats.storageError}
          </div>
        )}
      </div>

      <div id="sidebar" className="sidebar-wrap">
        <Sidebar
          chats={chats.chats}
          activeId={active?.id}
          onNew={() => {
            chats.newChat();
            setSidebarOpen(false);
          }}
          onSelect={(id) => {
            chats.select(id);
            setSidebarOpen(false);
          }}
          onRename={chats.rename}
          onDelete={(id) => setDeleted(chats.remove(id))}
          onExport={download}
          onImport={(file) => void importFile(file)}
        />
      </div>

      <main
        className="conversation"
        aria-label="Conversation"
        onClick={() => sidebarOpen && setSidebarOpen(false)}
      >
        {!active || active.messages.length === 0 ? (
          <div className="empty-state">
            <h2>Ask GLM anything</h2>
            <p className="muted">
              Answers stream in as they are written. Press Enter to send, Shift+Enter for a new
              line, Esc to stop.
            </p>
          </div>
        ) : (
          active.messages.map((m) => (
            <MessageView
              key={m.id}
              message={m}
              isLastAnswer={m.id === lastAnswerId}
              busy={isStreaming}
              onRetry={onRetry}
              onEdit={onEdit}
            />
          ))
        )}
        <div ref={bottom} />
      </main>

      <footer className="composer-wrap">
        {deleted && (
          <div className="toast" role="status">
            Deleted “{deleted.title}”.
            <button
              type="button"
              className="ghost small"
              onClick={() => {
                chats.restore(deleted);
                setDeleted(undefined);
              }}
            >
              Undo
            </button>
          </div>
        )}
        {notice && (
          <div className="toast" role="status">
            {notice}
            <button type="button" className="ghost small" onClick={() => setNotice(undefined)}>
              Dismiss
            </button>
          </div>
        )}
        <Composer
          ref={composer}
          streaming={isStreaming}
          disabled={!chats.loaded}
          onSend={chats.send}
          onStop={stop}
        />
      </footer>

      <div className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </div>
      <SettingsDialog
        open={settingsOpen}
        settings={active?.settings ?? loadDefaultSettings()}
        apiConfig={apiConfig}
        onChange={chats.updateSettings}
        onClose={() => setSettingsOpen(false)}
      />
    </div>
  );
}
