import type { ApiConfig } from '@zai-chat/contract';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ApiServices } from '../lib/api';
import { browserNetwork } from '../lib/network';
import { ChatStore } from '../storage/db';
import type { ImageStore } from '../storage/images';
import { ChatController } from './controller';
import { activeChat, isStreaming } from './reducer';
import { loadDefaultSettings, saveDefaultSettings } from './settings';
import type { Chat } from './types';
import { usePersistence } from './usePersistence';

export interface ChatsView {
  controller: ChatController;
  chats: Chat[];
  active: Chat | undefined;
  loaded: boolean;
  isStreaming: boolean;
  storageError: string | undefined;
}

/**
 * The chat controller for this page, bound to React: opens IndexedDB, hydrates the
 * controller from it, mirrors its chats back, and re-renders on every state change.
 */
export function useChats(
  announce: (text: string) => void,
  config: ApiConfig | undefined,
  api: ApiServices,
  images: ImageStore,
) {
  const [controller] = useState(
    () =>
      new ChatController({
        stream: api.stream,
        resume: api.resume,
        stopStream: api.stopStream,
        network: browserNetwork,
        images,
        defaults: () => loadDefaultSettings(),
        saveDefaults: saveDefaultSettings,
        announce,
      }),
  );
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const [store, setStore] = useState<ChatStore>();
  const [storageError, setStorageError] = useState<string>();

  useEffect(() => {
    controller.setApiConfig(config);
  }, [controller, config]);

  useEffect(() => {
    let cancelled = false;
    let opened: ChatStore | undefined;
    ChatStore.open()
      .then(async (s) => {
        opened = s;
        const chats = await s.all();
        if (cancelled) return s.close();
        setStore(s);
        images.attach(s);
        controller.hydrate(chats);
        // Images of chats deleted in an earlier visit (their undo has long passed) go now.
        void images.prune(chats).catch(() => {});
      })
      .catch(() => {
        if (cancelled) return;
        setStorageError(
          'Chats cannot be saved in this browser (IndexedDB is unavailable); they last until you close the tab.',
        );
        controller.hydrate([]);
      });
    return () => {
      cancelled = true;
      images.attach(undefined);
      opened?.close();
    };
  }, [controller, images]);

  const onStorageError = useCallback(
    () => setStorageError('Saving chats failed; the latest changes may not survive a reload.'),
    [],
  );
  usePersistence(store, state.chats, state.loaded, onStorageError);

  const active = activeChat(state);
  return {
    controller,
    chats: state.chats,
    active,
    loaded: state.loaded,
    isStreaming: isStreaming(active),
    storageError,
  } satisfies ChatsView;
}
