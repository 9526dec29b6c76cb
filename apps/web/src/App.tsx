import { useCallback, useEffect, useRef, useState } from 'react';
import type { Chat } from './chat/types';
import { useChats } from './chat/useChats';
import { Banners } from './components/Banners';
import { Composer } from './components/Composer';
import { Conversation } from './components/Conversation';
import { Header } from './components/Header';
import { SettingsDialog } from './components/SettingsDialog';
import { Sidebar } from './components/Sidebar';
import { Toasts } from './components/Toasts';
import { useChatActions } from './hooks/useChatActions';
import { useChatFiles } from './hooks/useChatFiles';
import { useEscape } from './hooks/useEscape';
import { useScrollFollow } from './hooks/useScrollFollow';
import { useSettings } from './hooks/useSettings';
import { useUndo } from './hooks/useUndo';
import { useApiConfig } from './lib/useApiConfig';
import { useHealth } from './lib/useHealth';
import { useTheme } from './lib/useTheme';

/** The page: a layout of the header, chat list, conversation and composer, wired together. */
export function App() {
  const [announcement, setAnnouncement] = useState('');
  const apiConfig = useApiConfig();
  const chats = useChats(setAnnouncement, apiConfig);
  const { controller, active, isStreaming } = chats;
  const { connection, health } = useHealth();
  const [theme, toggleTheme] = useTheme();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [notice, setNotice] = useState<string>();
  const undo = useUndo<Chat>();
  const files = useChatFiles(useCallback((c: Chat[]) => controller.importChats(c), [controller]));
  const composer = useRef<HTMLTextAreaElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const newChatButton = useRef<HTMLButtonElement>(null);
  const content = useRef<HTMLDivElement>(null);
  useScrollFollow(content, `${active?.id}:${active?.messages.length ?? 0}`);
  const { settings, updateSettings } = useSettings(controller, active);
  const actions = useChatActions(controller, composer, setSidebarOpen);

  useEscape(() => {
    if (controller.isStreaming()) return actions.stop();
    if (!sidebarOpen) return;
    setSidebarOpen(false);
    menuButton.current?.focus();
  });

  const { offer } = undo;
  const onDelete = useCallback((id: string) => offer(controller.remove(id)), [controller, offer]);
  // The phone drawer takes focus when it opens, so keyboard users land in the list.
  useEffect(() => {
    if (sidebarOpen) newChatButton.current?.focus();
  }, [sidebarOpen]);

  return (
    <div className={`app${sidebarOpen ? ' app--sidebar-open' : ''}`}>
      <a className="skip-link" href="#composer-input">
        Skip to message box
      </a>
      <div id="sidebar" className="sidebar-wrap">
        <Sidebar
          chats={chats.chats}
          activeId={active?.id}
          newChatButton={newChatButton}
          onNew={() => {
            controller.newChat();
            setSidebarOpen(false);
            actions.focusComposer();
          }}
          onSelect={actions.select}
          onRename={actions.rename}
          onDelete={onDelete}
          onExport={() => files.exportAll(chats.chats)}
          onImport={(file) => void files.importFile(file).then(setNotice)}
        />
      </div>
      <div className="backdrop" aria-hidden="true" onClick={() => setSidebarOpen(false)} />
      <div className="main-col">
        <Header
          menuButton={menuButton}
          sidebarOpen={sidebarOpen}
          onToggleSidebar={() => setSidebarOpen((open) => !open)}
          model={settings.model}
          config={apiConfig}
          onModel={(model) => updateSettings({ ...settings, model })}
          connection={connection}
          theme={theme}
          onToggleTheme={toggleTheme}
          onSettings={() => setSettingsOpen(true)}
        />
        <Banners health={health} connection={connection} storageError={chats.storageError} />
        <main className="conversation" aria-label="Conversation">
          <Conversation
            chat={active}
            busy={isStreaming}
            contentRef={content}
            onRetry={actions.retry}
            onEdit={actions.edit}
            onSuggestion={actions.pick}
          />
        </main>
        <footer className="composer-wrap">
          <Composer
            ref={composer}
            streaming={isStreaming}
            disabled={!chats.loaded}
            onSend={actions.send}
            onStop={actions.stop}
          />
        </footer>
      </div>
      <Toasts
        deletedTitle={undo.pending?.title}
        onUndo={() => {
          const chat = undo.take();
          if (chat) controller.restore(chat);
          actions.focusComposer();
        }}
        notice={notice}
        onDismiss={() => {
          setNotice(undefined);
          actions.focusComposer();
        }}
      />
      <div className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </div>
      <SettingsDialog
        open={settingsOpen}
        settings={settings}
        apiConfig={apiConfig}
        onChange={updateSettings}
        onClose={() => setSettingsOpen(false)}
      />
    </div>
  );
}
