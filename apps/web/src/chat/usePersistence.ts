import { useEffect, useRef, useState } from 'react';
import type { ChatStore } from '../storage/db';
import { SaveQueue } from '../storage/saveQueue';
import type { Chat } from './types';

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
  const latestOnError = useRef(onError);
  useEffect(() => {
    latestOnError.current = onError;
  }, [onError]);
  const [queue, setQueue] = useState<SaveQueue>();

  useEffect(() => {
    if (!store) return;
    const q = new SaveQueue(store, (err) => latestOnError.current(err));
    setQueue(q);
    const onVisibility = () => document.visibilityState === 'hidden' && q.flush();
    window.addEventListener('pagehide', q.flush);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', q.flush);
      document.removeEventListener('visibilitychange', onVisibility);
      q.flush();
    };
  }, [store]);

  useEffect(() => {
    if (!queue || !loaded) return;
    const present = new Set<string>();
    for (const chat of chats) {
      present.add(chat.id);
      if (saved.current.get(chat.id) === chat) continue;
      saved.current.set(chat.id, chat);
      queue.save(chat, !isStreaming(chat));
    }
    for (const id of [...saved.current.keys()]) {
      if (present.has(id)) continue;
      saved.current.delete(id);
      queue.remove(id);
    }
  }, [queue, chats, loaded]);
}
