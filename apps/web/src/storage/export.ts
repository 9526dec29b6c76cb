import { ErrorBody, Usage } from '@zai-chat/contract';
import { sanitizeSettings } from '../chat/settings';
import { readSources } from '../chat/sources';
import type { ToolCall } from '../chat/toolCalls';
import type { AssistantMessage, Attachment, Chat, Message, UserMessage } from '../chat/types';
import { newId } from '../lib/id';

export const EXPORT_FORMAT = 'zai-chat/chats';
/** 2: attachments, with their images as data URLs in `images`; tool calls; sources. */
export const EXPORT_VERSION = 2;

export interface ChatExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  chats: Chat[];
  /** Attached images by attachment id, as data URLs. */
  images: Record<string, string>;
}

export function exportChats(
  chats: Chat[],
  now = new Date(),
  images: Record<string, string> = {},
): string {
  const file: ChatExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    chats,
    images,
  };
  return JSON.stringify(file, null, 2);
}

export interface ImportedChats {
  chats: Chat[];
  images: Map<string, string>;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/** A data URL of an image type, base64: the only thing an imported image may be. */
const IMAGE_DATA_URL = /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

/** The chats of an export file (see `parseChatFile`). */
export function parseChatExport(text: string): Chat[] {
  return parseChatFile(text).chats;
}

/**
 * Read an export file back, version 1 or 2. The file came from outside, so every field is
 * checked and rebuilt; a file that is not an export is refused whole rather than half-imported.
 * Images come back only as image data URLs, and only those a message refers to.
 */
export function parseChatFile(text: string): ImportedChats {
  const chats = parseChats(text);
  const json = JSON.parse(text) as { images?: unknown };
  const images = new Map<string, string>();
  const wanted = new Set(
    chats.flatMap((c) =>
      c.messages.flatMap((m) => (m.role === 'user' ? (m.attachments ?? []).map((a) => a.id) : [])),
    ),
  );
  if (isObject(json.images)) {
    for (const [id, url] of Object.entries(json.images)) {
      if (wanted.has(id) && typeof url === 'string' && IMAGE_DATA_URL.test(url))
        images.set(id, url);
    }
  }
  return { chats, images };
}

function parseChats(text: string): Chat[] {
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
        if (m.role === 'user') {
          const user: UserMessage = { ...base, role: 'user' };
          const attachments = readAttachments(m.attachments);
          if (attachments.length) user.attachments = attachments;
          return [user];
        }
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
        const toolCalls = readToolCalls(m.toolCalls);
        if (toolCalls.length) message.toolCalls = toolCalls;
        const sources = readSources(m.sources);
        if (sources) message.sources = sources;
        if (isObject(m.answeredBy) && typeof m.answeredBy.base === 'string') {
          message.answeredBy = { base: m.answeredBy.base };
          if (typeof m.answeredBy.instance === 'string')
            message.answeredBy.instance = m.answeredBy.instance;
        }
        return [message];
      }),
    };
  });
}

function readAttachments(raw: unknown): Attachment[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((a): Attachment[] => {
    if (!isObject(a) || typeof a.id !== 'string' || !a.id) return [];
    const mime = str(a.mime);
    return [
      {
        id: a.id,
        name: str(a.name, 'image') || 'image',
        mime: mime.startsWith('image/') ? mime : 'image/jpeg',
        width: num(a.width, 0),
        height: num(a.height, 0),
        bytes: num(a.bytes, 0),
      },
    ];
  });
}

function readToolCalls(raw: unknown): ToolCall[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c, i): ToolCall[] => {
    if (!isObject(c)) return [];
    const call: ToolCall = {
      index: num(c.index, i),
      name: str(c.name),
      arguments: str(c.arguments),
    };
    if (typeof c.id === 'string') call.id = c.id;
    if (typeof c.type === 'string') call.type = c.type;
    return [call];
  });
}
