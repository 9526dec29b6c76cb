import type { Health } from '@zai-chat/contract';
import { useEffect, useState } from 'react';
import { api } from './api';

export type Connection = 'checking' | 'online' | 'offline';

const POLL_MS = 15_000;

/** Poll the API's /health, and re-check at once when the browser comes back online. */
export function useHealth(): { connection: Connection; health: Health | undefined } {
  const [connection, setConnection] = useState<Connection>('checking');
  const [health, setHealth] = useState<Health>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      clearTimeout(timer);
      try {
        const res = await api.health({ fetchOptions: { signal: AbortSignal.timeout(5000) } });
        if (!live) return;
        if (res.status === 200) {
          setHealth(res.body);
          setConnection('online');
        } else setConnection('offline');
      } catch {
        if (live) setConnection('offline');
      }
      if (live) timer = setTimeout(check, POLL_MS);
    };
    const onOffline = () => setConnection('offline');
    const onOnline = () => void check();
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    void check();
    return () => {
      live = false;
      clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, []);
  return { connection, health };
}
