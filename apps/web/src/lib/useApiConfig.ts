import type { ApiConfig } from '@zai-chat/contract';
import { useEffect, useState } from 'react';
import { clientFor } from './api';
import type { BackendPool } from './backendPool';

/**
 * What the API accepts (models, limits, access mode), fetched once from the first backend that
 * answers; undefined until one does.
 */
export function useApiConfig(pool: BackendPool): ApiConfig | undefined {
  const [config, setConfig] = useState<ApiConfig>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      for (const base of pool.order()) {
        try {
          const res = await clientFor(base).config({
            fetchOptions: { signal: AbortSignal.timeout(5000) },
          });
          if (res.status === 200) {
            if (live) setConfig(res.body);
            return;
          }
        } catch {
          // This backend is down: ask the next; the health banner already says so.
        }
      }
      if (live) timer = setTimeout(() => void load(), 5000);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pool]);
  return config;
}
