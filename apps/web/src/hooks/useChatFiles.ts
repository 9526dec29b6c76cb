import { useCallback } from 'react';
import type { Chat } from '../chat/types';
import { ImportError, exportChats, parseChatExport } from '../storage/export';

export interface ChatFiles {
  /** Download every chat as one JSON file. */
  exportAll(chats: Chat[]): void;
  /** Read an export file; resolves to the words to show the user. */
  importFile(file: File): Promise<string>;
}

/** Export to and import from a JSON file; `onImport` receives the chats read from a file. */
export function useChatFiles(onImport: (chats: Chat[]) => void, now = () => new Date()): ChatFiles {
  const exportAll = useCallback(
    (chats: Chat[]) => {
      const blob = new Blob([exportChats(chats)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `zai-chat-${now().toISOString().slice(0, 10)}.json`;
      a.click();
      // The download has started from the click; the URL can go once the browser read it.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    [now],
  );
  const importFile = useCallback(
    async (file: File) => {
      try {
        const imported = parseChatExport(await file.text());
        onImport(imported);
        return `Imported ${imported.length} chat${imported.length === 1 ? '' : 's'}.`;
      } catch (err) {
        return err instanceof ImportError ? `Import failed: ${err.message}` : 'Import failed.';
      }
    },
    [onImport],
  );
  return { exportAll, importFile };
}
