import { ChatApiError, type ErrorBody, streamChat } from '@zai-chat/contract';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { API_BASE_URL } from '../lib/api';
import { newId } from '../lib/id';
import { ChatStore } from '../storage/db';
import { buildChatRequest } from './request';
import { type ChatAction, activeChat, chatsReducer, initialState } from './reducer';
import { loadDefaultSettings, saveDefaultSettings } from './settings';
import { StreamBatcher } from './streamBatcher';
import type { AssistantMessage, Chat, ChatSettings } from './types';
import { usePersistence } from './usePersistence';

export interface ChatsApi {
  chats: Chat[];
  active: Chat | undefined;
  loaded: boolean;
  storageError: string | undefined;
  isStreaming: boolean;
  newChat(): void;
  select(id: string): void;
  rename(id: string, title: string): void;
  remove(id: string): Chat | undefined;
  restore(chat: Chat): void;
  importChats(chats: Chat[]): void;
  updateSettings(settings: ChatSettings): void;
  send(text: string): void;
  stop(): void;
  regenerate(): void;
  edit(messageId: string, text: string): void;
}

const emptyAnswer = (): AssistantMessage => ({
  id: newId(),
  role: 'assistant',
  content: '',
  reasoning: '',
  status: 'streaming',
  createdAt: Date.now(),
});

function toErrorBody(err: unknown): ErrorBody['error'] {
  if (err instanceof ChatApiError) return err.body;
  return {
    code: 'stream_interrupted',
    message: 'The connection to the API was lost.',
    requestId: '',
  };
}

/** All chat state and the actions on it: the one place that talks to the API and to storage. */
export function useChats(announce: (text: string) => void): ChatsApi {
  const [state, dispatch] = useReducer(chatsReducer, initialState);
  const [store, setStore] = useState<ChatStore>();
  const [storageError, setStorageError] = useState<string>();
  const running = useRef(new Map<string, { controller: AbortController; messageId: string }>());
  // Event handlers read the latest state through this ref; startAnswer also advances it.
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    let cancelled = false;
    let opened: ChatStore | undefined;
    ChatStore.open()
      .then(async (s) => {
        opened = s;
        const chats = await s.all();
        if (cancelled) return s.close();
        setStore(s);
        dispatch({ type: 'hydrate', chats });
      })
      .catch(() => {
        if (cancelled) return;
        setStorageError(
          'Chats cannot be saved in this browser (IndexedDB is unavailable); they last until you close the tab.',
        );
        dispatch({ type: 'hydrate', chats: [] });
      });
    return () => {
      cancelled = true;
      opened?.close();
    };
  }, []);

  const onStorageError = useCallback(
    () => setStorageError('Saving chats failed; the latest changes may not survive a reload.'),
    [],
  );
  usePersistence(store, state.chats, state.loaded, onStorageError);

  const run = useCallback(
    async (chatId: string, messageId: string, request: ReturnType<typeof buildChatRequest>) => {
      const controller = new AbortController();
      running.current.set(chatId, { controller, messageId });
      announce('Answer started');
      const batcher = new StreamBatcher((delta) =>
        dispatch({ type: 'delta', id: chatId, messageId, delta }),
      );
      try {
        for await (const chunk of streamChat(request, {
          signal: controller.signal,
          baseUrl: API_BASE_URL,
        })) {
          batcher.push(chunk);
        }
        batcher.flush();
        dispatch({ type: 'finish', id: chatId, messageId, status: 'done' });
        announce('Answer finished');
      } catch (err) {
        batcher.flush();
        if (controller.signal.aborted) {
          dispatch({ type: 'finish', id: chatId, messageId, status: 'stopped' });
          announce('Answer stopped');
        } else {
          dispatch({
            type: 'finish',
            id: chatId,
            messageId,
            status: 'error',
            error: toErrorBody(err),
          });
          announce('Answer failed');
        }
      } finally {
        if (running.current.get(chatId)?.controller === controller) running.current.delete(chatId);
      }
    },
    [announce],
  );

  /** Apply an action that adds a new answer, then stream into it from the chat's new history. */
  const startAnswer = useCallback(
    (
      chatId: string,
      makeAction: (assistant: AssistantMessage) => ChatAction,
      before: ChatAction[] = [],
    ) => {
      running.current.get(chatId)?.controller.abort();
      const assistant = emptyAnswer();
      const actions = [...before, makeAction(assistant)];
      // Compute the history from the state these actions produce; React applies them later.
      const next = actions.reduce(chatsReducer, stateRef.current);
      const chat = next.chats.find((c) => c.id === chatId);
      if (!chat) return;
      stateRef.current = next;
      actions.forEach(dispatch);
      const history = chat.messages.filter((m) => m.id !== assistant.id);
      void run(chatId, assistant.id, buildChatRequest(chat, history));
    },
    [run],
  );

  const createChat = useCallback((): Chat => {
    const chat = blankChat();
    dispatch({ type: 'create', chat });
    return chat;
  }, []);

  const active = activeChat(state);
  const activeId = active?.id;

  return useMemo<ChatsApi>(
    () => ({
      chats: state.chats,
      active,
      loaded: state.loaded,
      storageError,
      isStreaming: !!active?.messages.some(
        (m) => m.role === 'assistant' && m.status === 'streaming',
      ),
      newChat: () => {
        const current = activeChat(stateRef.current);
        if (current && current.messages.length === 0) return; // reuse the empty chat
        createChat();
      },
      select: (id) => dispatch({ type: 'select', id }),
      rename: (id, title) => dispatch({ type: 'rename', id, title }),
      remove: (id) => {
        const chat = stateRef.current.chats.find((c) => c.id === id);
        running.current.get(id)?.controller.abort();
        dispatch({ type: 'delete', id });
        return chat;
      },
      restore: (chat) => dispatch({ type: 'restore', chat }),
      importChats: (chats) => dispatch({ type: 'import', chats }),
      updateSettings: (settings) => {
        saveDefaultSettings(settings);
        if (activeId) dispatch({ type: 'settings', id: activeId, settings });
      },
      send: (text) => {
        const content = text.trim();
        if (!content) return;
        const existing = activeChat(stateRef.current);
        const created = existing ? undefined : blankChat();
        const chatId = (existing ?? created)!.id;
        const user = { id: newId(), role: 'user' as const, content, createdAt: Date.now() };
        startAnswer(
          chatId,
          (assistant) => ({ type: 'send', id: chatId, user, assistant }),
          created ? [{ type: 'create', chat: created }] : [],
        );
      },
      stop: () => {
        if (activeId) running.current.get(activeId)?.controller.abort();
      },
      regenerate: () => {
        if (!activeId) return;
        startAnswer(activeId, (assistant) => ({ type: 'regenerate', id: activeId, assistant }));
      },
      edit: (messageId, text) => {
        const content = text.trim();
        if (!activeId || !content) return;
        startAnswer(activeId, (assistant) => ({
          type: 'edit',
          id: activeId,
          messageId,
          content,
          assistant,
        }));
      },
    }),
    [state, storageError, active, activeId, createChat, startAnswer],
  );
}

function blankChat(): Chat {
  const now = Date.now();
  return {
    id: newId(),
    title: 'New chat',
    titleLocked: false,
    createdAt: now,
    updatedAt: now,
    settings: loadDefaultSettings(),
    messages: [],
  };
}
