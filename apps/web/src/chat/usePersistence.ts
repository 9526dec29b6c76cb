import { useEffect, useRef } from 'react';
import type { ChatStore } from '../storage/db';
import type { Chat } from './types';

const STREAMING_SAVE_INTERVAL_MS = 1000;

const isStreaming = (chat: Chat) =>
  chat.messages.some((m) => m.role === 'assistant' && m.status === 'streaming');

/**
 * Mirror chat state into IndexedDB. Settled chats are written at once; a chat with an answer
 * still streaming is written at most once a second (and at once on page hide), so a reload
 * never loses more than a second of a partial answer. Removed chats are deleted.
 */
export function usePersistence(
  store: ChatStore | undefined,
  chats: Chat[],
  loaded: boolean,
  onError: (err: unknown) => void,
) {
  const saved = useRef(new Map<string, Chat>());
  const pending = useRef(new Map<string, Chat>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ onError });
  useEffect(() => {
    latest.current = { onError };
  }, [onError]);

  useEffect(() => {
    if (!store || !loaded) return;
    const flush = () => {
      clearTimeout(timer.current);
      timer.current = undefined;
      const batch = [...pending.current.values()];
      pending.current.clear();
      if (batch.length) store.putMany(batch).catch(latest.current.onError);
    };
    const present = new Set<string>();
    for (const chat of chats) {
      present.add(chat.id);
      if (saved.current.get(chat.id) === chat) continue;
      saved.current.set(chat.id, chat);
      pending.current.set(chat.id, chat);
      if (!isStreaming(chat)) flush();
      else timer.current ??= setTimeout(flush, STREAMING_SAVE_INTERVAL_MS);
    }
    for (const id of [...saved.current.keys()]) {
      if (present.has(id)) continue;
      saved.current.delete(id);
      pending.current.delete(id);
      store.delete(id).catch(latest.current.onError);
    }
  }, [store, chats, loaded]);

  useEffect(() => {
    if (!store) return;
    const flushNow = () => {
      clearTimeout(timer.current);
      timer.current = undefined;
      const batch = [...pending.current.values()];
      pending.current.clear();
      if (batch.length) store.putMany(batch).catch(latest.current.onError);
    };
    const onVisibility = () => document.visibilityState === 'hidden' && flushNow();
    window.addEventListener('pagehide', flushNow);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', flushNow);
      document.removeEventListener('visibilitychange', onVisibility);
      flushNow();
    };
  }, [store]);
}
