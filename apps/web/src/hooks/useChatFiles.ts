import { useCallback } from 'react';
import type { Chat } from '../chat/types';
import { ImportError, type ImportedChats, exportChats, parseChatFile } from '../storage/export';
import { referencedImageIds } from '../storage/images';

export interface ChatFiles {
  /** Download every chat, with its images, as one JSON file. */
  exportAll(chats: Chat[]): Promise<void>;
  /** Read an export file; resolves to the words to show the user. */
  importFile(file: File): Promise<string>;
}

/**
 * Export to and import from a JSON file; `onImport` receives what a file held, `loadImage`
 * reads an attachment's image for the export.
 */
export function useChatFiles(
  onImport: (imported: ImportedChats) => void,
  now = () => new Date(),
  loadImage: (id: string) => Promise<string | undefined> = async () => undefined,
): ChatFiles {
  const exportAll = useCallback(
    async (chats: Chat[]) => {
      const images: Record<string, string> = {};
      for (const id of referencedImageIds(chats)) {
        const url = await loadImage(id);
        if (url) images[id] = url;
      }
      const blob = new Blob([exportChats(chats, now(), images)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `zai-chat-${now().toISOString().slice(0, 10)}.json`;
      a.click();
      // The download has started from the click; the URL can go once the browser read it.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    [now, loadImage],
  );
  const importFile = useCallback(
    async (file: File) => {
      try {
        const imported = parseChatFile(await file.text());
        onImport(imported);
        const n = imported.chats.length;
        return `Imported ${n} chat${n === 1 ? '' : 's'}.`;
      } catch (err) {
        return err instanceof ImportError ? `Import failed: ${err.message}` : 'Import failed.';
      }
    },
    [onImport],
  );
  return { exportAll, importFile };
}
