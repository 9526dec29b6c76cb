import type { ApiConfig } from '@zai-chat/contract';
import { useEffect, useState } from 'react';
import { api } from './api';

/** What the API accepts (models, limits), fetched once; undefined until it answers. */
export function useApiConfig(): ApiConfig | undefined {
  const [config, setConfig] = useState<ApiConfig>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const res = await api.config({ fetchOptions: { signal: AbortSignal.timeout(5000) } });
        if (res.status === 200) {
          if (live) setConfig(res.body);
          return;
        }
      } catch {
        // The API is down: ask again shortly; the health banner already says so.
      }
      if (live) timer = setTimeout(() => void load(), 5000);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return config;
}
