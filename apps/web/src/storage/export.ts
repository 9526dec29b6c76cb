import { ErrorBody, Usage } from '@zai-chat/contract';
import { sanitizeSettings } from '../chat/settings';
import type { AssistantMessage, Chat, Message } from '../chat/types';
import { newId } from '../lib/id';

export const EXPORT_FORMAT = 'zai-chat/chats';
export const EXPORT_VERSION = 1;

export interface ChatExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  chats: Chat[];
}

export function exportChats(chats: Chat[], now = new Date()): string {
  const file: ChatExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    chats,
  };
  return JSON.stringify(file, null, 2);
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/**
 * Read an export file back. The file came from outside, so every field is checked and rebuilt;
 * a file that is not an export is refused whole rather than half-imported.
 */
export function parseChatExport(text: string): Chat[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportError('The file is not JSON.');
  }
  if (!isObject(json) || json.format !== EXPORT_FORMAT || !Array.isArray(json.chats)) {
    throw new ImportError('The file is not a zai-chat export.');
  }
  return json.chats.map((raw, i) => {
    if (!isObject(raw) || !Array.isArray(raw.messages))
      throw new ImportError(`Chat ${i + 1} is not valid.`);
    const now = Date.now();
    return {
      id: str(raw.id) || newId(),
      title: str(raw.title, 'Imported chat') || 'Imported chat',
      titleLocked: raw.titleLocked === true,
      createdAt: num(raw.createdAt, now),
      updatedAt: num(raw.updatedAt, now),
      settings: sanitizeSettings(isObject(raw.settings) ? raw.settings : {}),
      messages: raw.messages.flatMap((m): Message[] => {
        if (!isObject(m) || typeof m.content !== 'string') return [];
        const base = {
          id: str(m.id) || newId(),
          content: m.content,
          createdAt: num(m.createdAt, now),
        };
        if (m.role === 'user') return [{ ...base, role: 'user' }];
        if (m.role !== 'assistant') return [];
        const status =
          m.status === 'error' || m.status === 'stopped' || m.status === 'done'
            ? m.status
            : 'stopped';
        const message: AssistantMessage = {
          ...base,
          role: 'assistant',
          reasoning: str(m.reasoning),
          status,
          ...(typeof m.model === 'string' ? { model: m.model } : {}),
          ...(typeof m.finishReason === 'string' ? { finishReason: m.finishReason } : {}),
        };
        const usage = Usage.safeParse(m.usage);
        // The wire schema is lenient; a stored usage must at least count something.
        if (usage.success && typeof usage.data.total_tokens === 'number')
          message.usage = usage.data;
        const error = ErrorBody.shape.error.safeParse(m.error);
        if (error.success) message.error = error.data;
        return [message];
      }),
    };
  });
}
