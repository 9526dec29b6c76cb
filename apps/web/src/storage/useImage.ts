import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { ImageStore } from './images';

export const ImagesContext = createContext<ImageStore | null>(null);

/**
 * An attachment's data URL: at once when it is in memory, else read from IndexedDB (the view
 * re-renders when it arrives). `missing` once the store had nothing (an import without it).
 */
export function useImage(id: string): { url: string | undefined; missing: boolean } {
  const store = useContext(ImagesContext);
  const url = useSyncExternalStore(store?.subscribe ?? noSubscribe, () => store?.get(id));
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    if (!store || url !== undefined) return;
    let live = true;
    void store.load(id).then((found) => live && setMissing(found === undefined));
    return () => {
      live = false;
    };
  }, [store, id, url]);
  return { url, missing: !store || (url === undefined && missing) };
}

const noSubscribe = () => () => {};
