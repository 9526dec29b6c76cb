import {
  Suspense,
  lazy,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { Chat } from './chat/types';
import { useChats } from './chat/useChats';
import { AttachButton, AttachmentList } from './components/Attachments';
import { Banners } from './components/Banners';
import { Composer } from './components/Composer';
import { Conversation } from './components/Conversation';
import { Header } from './components/Header';
import { SettingsDialog } from './components/SettingsDialog';
import { Sidebar } from './components/Sidebar';
import { Toasts } from './components/Toasts';
import { useAttachments } from './hooks/useAttachments';
import { useChatActions } from './hooks/useChatActions';
import { useChatFiles } from './hooks/useChatFiles';
import { useEscape } from './hooks/useEscape';
import { useScrollFollow } from './hooks/useScrollFollow';
import { useSettings } from './hooks/useSettings';
import { useUndo } from './hooks/useUndo';
import { findModel } from './chat/models';
import { createApiServices } from './lib/api';
import { backendLabel } from './lib/backends';
import { useApiConfig } from './lib/useApiConfig';
import { useHealth } from './lib/useHealth';
import { useTheme } from './lib/useTheme';
import { ImageStore } from './storage/images';
import { ImagesContext } from './storage/useImage';

// Only deployments with access keys ever show it.
const AccessKeyDialog = lazy(() => import('./components/AccessKeyDialog'));

/** The page: a layout of the header, chat list, conversation and composer, wired together. */
export function App() {
  const [api] = useState(createApiServices);
  const [notice, setNotice] = useState<string>();
  const [images] = useState(() => new ImageStore());
  const [announcement, setAnnouncement] = useState('');
  const apiConfig = useApiConfig(api.pool);
  const chats = useChats(setAnnouncement, apiConfig, api, images);
  const { controller, active, isStreaming } = chats;
  const backends = useHealth(api.pool);
  const { connection, health } = backends;
  const [theme, toggleTheme] = useTheme();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const undo = useUndo<Chat>();
  const files = useChatFiles(
    useCallback(
      ({ chats: imported, images: pixels }) => {
        for (const [id, url] of pixels) images.put(id, url);
        controller.importChats(imported);
      },
      [controller, images],
    ),
    undefined,
    images.load,
  );
  const composer = useRef<HTMLTextAreaElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const newChatButton = useRef<HTMLButtonElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const footer = useRef<HTMLElement>(null);
  useScrollFollow(content, `${active?.id}:${active?.messages.length ?? 0}`, footer);
  const { settings, updateSettings } = useSettings(controller, active);
  const actions = useChatActions(controller, composer, setSidebarOpen);

  // What the chat's model can do drives the attach button and the thinking switch.
  const model = findModel(apiConfig, settings.model);
  const modelName = model?.name ?? model?.id ?? 'This model';
  const attachments = useAttachments(apiConfig?.limits);
  const vision = model?.vision === true;
  const addImages = useCallback(
    (list: File[]) => {
      if (!list.length) return;
      if (vision) attachments.add(list);
      else
        setNotice(
          `${modelName} does not read images. Pick a vision model, such as GLM-4.5V, to attach them.`,
        );
    },
    [vision, attachments, modelName],
  );
  const [dragging, setDragging] = useState(false);

  // Access keys: ask when the API says keys are on and none is saved, or when it answered 401.
  const keySaved = useSyncExternalStore(api.keys.subscribe, api.keys.has);
  const keyReason = useSyncExternalStore(api.keyPrompt.subscribe, api.keyPrompt.pending);
  const accessMode = apiConfig?.access.mode;
  useEffect(() => {
    if (accessMode === 'keys' && !api.keys.has()) void api.keyPrompt.ask('required');
  }, [accessMode, api]);

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

  const several = backends.states.length > 1;
  const current = backends.states[backends.current];
  const backendNote = several && current ? `answering: ${backendLabel(current.base)}` : undefined;
  const modelNote =
    attachments.items.length && model && !vision
      ? `${modelName} does not read images: pick a vision model, or remove them.`
      : undefined;
  const { images: takeImages, clear: clearImages } = attachments;
  const send = useCallback(
    (text: string) => {
      void controller.send(text, takeImages());
      clearImages();
    },
    [controller, takeImages, clearImages],
  );

  return (
    <ImagesContext.Provider value={images}>
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
            onExport={() => void files.exportAll(chats.chats)}
            onImport={(file) => void files.importFile(file).then(setNotice)}
          />
        </div>
        <div className="backdrop" aria-hidden="true" onClick={() => setSidebarOpen(false)} />
        <div
          className={`main-col${dragging ? ' main-col--dragging' : ''}`}
          onDragOver={(e) => {
            if (!e.dataTransfer.types.includes('Files')) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
            setDragging(vision);
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
          }}
          onDrop={(e) => {
            if (!e.dataTransfer.types.includes('Files')) return;
            // Never let the browser navigate to a dropped file.
            e.preventDefault();
            setDragging(false);
            addImages([...e.dataTransfer.files]);
          }}
        >
          <Header
            menuButton={menuButton}
            sidebarOpen={sidebarOpen}
            onToggleSidebar={() => setSidebarOpen((open) => !open)}
            model={settings.model}
            config={apiConfig}
            onModel={(m) => updateSettings({ ...settings, model: m })}
            connection={connection}
            backendNote={backendNote}
            theme={theme}
            onToggleTheme={toggleTheme}
            onSettings={() => setSettingsOpen(true)}
          />
          <Banners health={health} connection={connection} storageError={chats.storageError} />
          <main className="conversation" aria-label="Conversation">
            <Conversation
              chat={active}
              busy={isStreaming}
              showBackend={several}
              contentRef={content}
              onRetry={actions.retry}
              onEdit={actions.edit}
              onSuggestion={actions.pick}
            />
          </main>
          <footer className="composer-wrap" ref={footer}>
            <Composer
              ref={composer}
              streaming={isStreaming}
              disabled={!chats.loaded}
              onSend={send}
              onStop={actions.stop}
              hasAttachments={attachments.items.length > 0}
              blocked={
                attachments.items.length > 0 && (!attachments.ready || modelNote !== undefined)
              }
              onPasteFiles={vision ? addImages : undefined}
              attachments={
                attachments.items.length > 0 ? (
                  <AttachmentList
                    items={attachments.items}
                    countError={attachments.countError}
                    modelNote={modelNote}
                    onRemove={attachments.remove}
                  />
                ) : undefined
              }
              tools={vision ? <AttachButton onFiles={addImages} /> : undefined}
            />
          </footer>
          {dragging && (
            <div className="drop-overlay" aria-hidden="true">
              Drop images to attach
            </div>
          )}
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
          model={model}
          keySaved={keySaved}
          onForgetKey={() => {
            api.keys.forget();
            setAnnouncement('Access key forgotten');
          }}
          onEnterKey={() => {
            setSettingsOpen(false);
            void api.keyPrompt.ask('required');
          }}
          onChange={updateSettings}
          onClose={() => setSettingsOpen(false)}
        />
        {keyReason && (
          <Suspense fallback={null}>
            <AccessKeyDialog
              key={keyReason}
              reason={keyReason}
              onSubmit={(key) => {
                api.keys.set(key);
                api.keyPrompt.answer(key);
                actions.focusComposer();
              }}
              onCancel={() => {
                api.keyPrompt.answer(undefined);
                actions.focusComposer();
              }}
            />
          </Suspense>
        )}
      </div>
    </ImagesContext.Provider>
  );
}
