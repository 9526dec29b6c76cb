import type { ChatMessage, ChatRequestInput, ContentPart, FieldIssue } from '@zai-chat/contract';
import { sanitizeSettings } from './settings';
import type { Attachment, AttachmentIssue, Chat, Message } from './types';

export interface RequestOptions {
  /** The API's `max_tokens` ceiling (`GET /api/config`). */
  maxTokensCeiling?: number;
  /** What the chat's model can do, when the API listed it. */
  model?: { vision: boolean; reasoning: boolean };
  /** Images one request may carry (`limits.maxImagesPerRequest`). */
  maxImages?: number;
  /**
   * Characters of data URLs one request may carry (from `limits.bodyBytes`): earlier images
   * that do not fit are not resent. The latest question's own images always go.
   */
  maxImageChars?: number;
  /** An attachment's data URL, if the image store has it. */
  imageUrl?(id: string): string | undefined;
}

/** Where a request message came from: its chat message, and the attachment behind each part. */
export interface RequestOrigin {
  messageId?: string;
  parts: (string | undefined)[];
}

export interface BuiltRequest {
  request: ChatRequestInput;
  origins: RequestOrigin[];
}

/**
 * The contract request for a chat's history. Failed and empty answers are left out: they were
 * never part of the conversation the model saw. Stopped partial answers stay, as the user saw them.
 * Settings stored before the API lowered a limit are clamped to `maxTokensCeiling` here, so the
 * request is one the API accepts.
 *
 * A question with images becomes Z.AI content parts, images first, then the text. Images go
 * only to a model that reads them, and only the newest `maxImages` of the conversation (and of
 * earlier questions only what fits `maxImageChars`): the API refuses more per request, and the
 * older ones were answered already. An image left out
 * stays in its place as a short text part, so part indexes (and the API's issue paths) still
 * point at the right attachment.
 */
export function buildRequest(
  chat: Pick<Chat, 'settings'>,
  history: Message[],
  options: RequestOptions = {},
): BuiltRequest {
  const settings = sanitizeSettings(chat.settings, options.maxTokensCeiling);
  const messages: ChatMessage[] = [];
  const origins: RequestOrigin[] = [];
  if (settings.systemPrompt.trim()) {
    messages.push({ role: 'system', content: settings.systemPrompt });
    origins.push({ parts: [] });
  }
  const sendable = imagesToSend(history, options);
  for (const m of history) {
    if (m.role === 'user') {
      const built = userContent(m.content, m.attachments ?? [], sendable, options);
      messages.push({ role: 'user', content: built.content });
      origins.push({ messageId: m.id, parts: built.parts });
    } else if (m.status !== 'error' && m.content) {
      messages.push({ role: 'assistant', content: m.content });
      origins.push({ messageId: m.id, parts: [] });
    }
  }
  const reasoning = options.model?.reasoning ?? true;
  return {
    request: {
      ...(settings.model ? { model: settings.model } : {}),
      messages,
      stream: true,
      temperature: settings.temperature,
      top_p: settings.top_p,
      max_tokens: settings.max_tokens,
      // A model that cannot think gets no `thinking` switch at all.
      ...(reasoning ? { thinking: { type: settings.thinking ? 'enabled' : 'disabled' } } : {}),
    },
    origins,
  };
}

export function buildChatRequest(
  chat: Pick<Chat, 'settings'>,
  history: Message[],
  options: RequestOptions = {},
): ChatRequestInput {
  return buildRequest(chat, history, options).request;
}

/**
 * Ids of the attachments that go as images, for a vision model: the newest `maxImages`; of
 * questions before the latest, only those that still fit `maxImageChars`.
 */
function imagesToSend(history: Message[], options: RequestOptions): Set<string> {
  const ids = new Set<string>();
  if (options.model && !options.model.vision) return ids;
  const max = options.maxImages ?? Infinity;
  let chars = options.maxImageChars ?? Infinity;
  const latest = history.findLastIndex((m) => m.role === 'user');
  for (let i = history.length - 1; i >= 0 && ids.size < max; i--) {
    const m = history[i];
    if (m?.role !== 'user') continue;
    const attachments = m.attachments ?? [];
    for (let j = attachments.length - 1; j >= 0 && ids.size < max; j--) {
      const id = attachments[j]!.id;
      const size = options.imageUrl?.(id)?.length ?? 0;
      if (i !== latest && size > chars) continue;
      chars -= size;
      ids.add(id);
    }
  }
  return ids;
}

function userContent(
  text: string,
  attachments: Attachment[],
  sendable: Set<string>,
  options: RequestOptions,
): { content: string | ContentPart[]; parts: (string | undefined)[] } {
  if (attachments.length === 0) return { content: text, parts: [] };
  const parts: ContentPart[] = [];
  const ids: (string | undefined)[] = [];
  for (const a of attachments) {
    const url = sendable.has(a.id) ? options.imageUrl?.(a.id) : undefined;
    if (url) {
      parts.push({ type: 'image_url', image_url: { url } });
      ids.push(a.id);
    } else {
      const why = !sendable.has(a.id)
        ? options.model && !options.model.vision
          ? 'this model does not read images'
          : 'sent earlier, not again'
        : 'no longer stored in this browser';
      parts.push({ type: 'text', text: `[Image “${a.name}”: ${why}]` });
      ids.push(undefined);
    }
  }
  if (text) {
    parts.push({ type: 'text', text });
    ids.push(undefined);
  }
  return { content: parts, parts: ids };
}

/**
 * The API's `image_too_large` issues mapped back to attachments: `messages.<i>.content.<j>` is
 * part j of request message i. Issues about the request as a whole (`messages`: too many
 * images) name no attachment and are returned apart.
 */
export function attachmentIssues(
  issues: FieldIssue[] | undefined,
  origins: RequestOrigin[],
): { attached: AttachmentIssue[]; general: FieldIssue[] } {
  const attached: AttachmentIssue[] = [];
  const general: FieldIssue[] = [];
  for (const issue of issues ?? []) {
    const match = /^messages\.(\d+)\.content\.(\d+)$/.exec(issue.path);
    const origin = match ? origins[Number(match[1])] : undefined;
    const attachmentId = match ? origin?.parts[Number(match[2])] : undefined;
    if (origin?.messageId && attachmentId)
      attached.push({ messageId: origin.messageId, attachmentId, message: issue.message });
    else general.push(issue);
  }
  return { attached, general };
}
