import type { NetworkStatus } from '../chat/answerRun';

/** The browser's online state (`navigator.onLine`) and its `online`/`offline` events. */
export const browserNetwork: NetworkStatus = {
  online: () => navigator.onLine,
  subscribe(listener) {
    window.addEventListener('online', listener);
    window.addEventListener('offline', listener);
    return () => {
      window.removeEventListener('online', listener);
      window.removeEventListener('offline', listener);
    };
  },
};
