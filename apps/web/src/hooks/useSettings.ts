import { useCallback, useState } from 'react';
import type { ChatController } from '../chat/controller';
import { loadDefaultSettings } from '../chat/settings';
import type { Chat, ChatSettings } from '../chat/types';

/**
 * The settings the header and the dialog show: the open chat's, or, with no chat open, the
 * defaults the next chat starts with (kept in state so a change shows at once).
 */
export function useSettings(controller: ChatController, active: Chat | undefined) {
  const [defaults, setDefaults] = useState(loadDefaultSettings);
  const updateSettings = useCallback(
    (next: ChatSettings) => {
      controller.updateSettings(next);
      setDefaults(next);
    },
    [controller],
  );
  return { settings: active?.settings ?? defaults, updateSettings };
}
