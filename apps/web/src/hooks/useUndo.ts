import { useCallback, useEffect, useState } from 'react';

export const UNDO_MS = 8000;

/**
 * One undoable item at a time (a deleted chat): offered for `ms`, then forgotten. A new offer
 * replaces the previous one and restarts the clock; `take` hands the item back once.
 */
export function useUndo<T>(ms = UNDO_MS) {
  const [pending, setPending] = useState<T>();
  useEffect(() => {
    if (pending === undefined) return;
    const timer = setTimeout(() => setPending(undefined), ms);
    return () => clearTimeout(timer);
  }, [pending, ms]);
  const offer = useCallback((item: T | undefined) => setPending(item), []);
  const dismiss = useCallback(() => setPending(undefined), []);
  const take = useCallback((): T | undefined => {
    const item = pending;
    setPending(undefined);
    return item;
  }, [pending]);
  return { pending, offer, take, dismiss };
}
