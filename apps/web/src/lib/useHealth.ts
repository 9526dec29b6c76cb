import type { Health } from '@zai-chat/contract';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { BackendPool, BackendState } from './backendPool';

export type Connection = 'checking' | 'online' | 'offline';

export interface Backends {
  connection: Connection;
  /** Health of the backend requests go to now. */
  health: Health | undefined;
  /** Every configured backend and its state, in configured order. */
  states: readonly BackendState[];
  /** Index (in configured order) of the backend requests go to now. */
  current: number;
}

/**
 * Keep the pool's health checks running while the page is open (and re-check at once when the
 * browser comes back online); online while any backend is healthy.
 */
export function useHealth(pool: BackendPool): Backends {
  const states = useSyncExternalStore(pool.subscribe, pool.getSnapshot);
  const [browserOffline, setBrowserOffline] = useState(false);
  useEffect(() => pool.start(), [pool]);
  useEffect(() => {
    const onOnline = () => {
      setBrowserOffline(false);
      void pool.checkAll();
    };
    const onOffline = () => setBrowserOffline(true);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    return () => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [pool, setBrowserOffline]);
  const current = states.findIndex((s) => s.status === 'up');
  const connection: Connection =
    browserOffline || (current < 0 && states.every((s) => s.status === 'down'))
      ? 'offline'
      : current < 0
        ? 'checking'
        : 'online';
  return { connection, health: states[current]?.health, states, current };
}
