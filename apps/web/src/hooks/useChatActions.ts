import { type RefObject, useMemo } from 'react';
import type { ChatController } from '../chat/controller';
import type { Attachment } from '../chat/types';

/**
 * The controller's actions as the page's controls call them. Those that remove the control
 * that had focus (Stop, Regenerate, Save & send, a suggestion, a chat in the phone drawer)
 * hand focus to the composer, never to <body>. Stable, so memoized views skip re-renders.
 */
export function useChatActions(
  controller: ChatController,
  composer: RefObject<HTMLTextAreaElement | null>,
  setSidebarOpen: (open: boolean) => void,
) {
  return useMemo(() => {
    const focusComposer = () => requestAnimationFrame(() => composer.current?.focus());
    return {
      focusComposer,
      send: (text: string) => void controller.send(text),
      pick: (text: string) => {
        void controller.send(text);
        focusComposer();
      },
      stop: () => {
        controller.stop();
        focusComposer();
      },
      retry: () => {
        void controller.regenerate();
        focusComposer();
      },
      edit: (id: string, text: string, attachments?: Attachment[]) => {
        void controller.edit(id, text, attachments);
        focusComposer();
      },
      select: (id: string) => {
        controller.select(id);
        setSidebarOpen(false);
        focusComposer();
      },
      rename: (id: string, title: string) => controller.rename(id, title),
    };
  }, [controller, composer, setSidebarOpen]);
}
