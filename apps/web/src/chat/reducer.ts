import type { ErrorBody, FinishReason, ToolCallDelta, Usage } from '@zai-chat/contract';
import type { Source } from './sources';
import { mergeToolCalls } from './toolCalls';
import type {
  AnsweredBy,
  AssistantMessage,
  Attachment,
  AttachmentIssue,
  Chat,
  ChatSettings,
  Message,
  MessageStatus,
  StreamRef,
  UserMessage,
} from './types';

export interface ChatsState {
  /** Newest activity first. */
  chats: Chat[];
  activeId: string | undefined;
  loaded: boolean;
}

export const initialState: ChatsState = { chats: [], activeId: undefined, loaded: false };

export interface StreamDelta {
  content: string;
  reasoning: string;
  usage?: Usage;
  finishReason?: FinishReason;
  model?: string;
  /** Tool-call fragments in arrival order (merged by index into the message's calls). */
  toolCalls?: ToolCallDelta[];
  sources?: Source[];
  answeredBy?: AnsweredBy;
  /** The answer's stream, from its response headers (a resume may name another backend). */
  stream?: Omit<StreamRef, 'lastEventId'>;
  /** The id of the last frame whose text this delta carries: saved with that text. */
  eventId?: string;
  reconnecting?: boolean;
}

export type ChatAction =
  /** `resume`: answers that were streaming and can be resumed stay streaming (reconnecting). */
  | { type: 'hydrate'; chats: Chat[]; resume?: boolean }
  | { type: 'create'; chat: Chat }
  | { type: 'select'; id: string }
  | { type: 'rename'; id: string; title: string }
  | { type: 'delete'; id: string }
  | { type: 'restore'; chat: Chat }
  | { type: 'import'; chats: Chat[] }
  | { type: 'settings'; id: string; settings: ChatSettings }
  | { type: 'send'; id: string; user: UserMessage; assistant: AssistantMessage }
  | { type: 'regenerate'; id: string; assistant: AssistantMessage }
  | {
      type: 'edit';
      id: string;
      messageId: string;
      content: string;
      /** The attachments kept (an edit can remove some); unchanged when absent. */
      attachments?: Attachment[];
      assistant: AssistantMessage;
    }
  | { type: 'delta'; id: string; messageId: string; delta: StreamDelta }
  | {
      type: 'finish';
      id: string;
      messageId: string;
      status: Exclude<MessageStatus, 'streaming'>;
      error?: ErrorBody['error'];
      attachmentIssues?: AttachmentIssue[];
    };

const TITLE_LENGTH = 60;

export function titleFrom(text: string): string {
  const line = text
    .replace(/\[sim:[^\]]*\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!line) return 'New chat';
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

/** A chat's title from its first question: the text, else the first image's name. */
const titleOf = (m: UserMessage): string =>
  m.content.trim() || !m.attachments?.length
    ? titleFrom(m.content)
    : titleFrom(m.attachments[0]!.name);

const byRecent = (a: Chat, b: Chat) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt;

/** An answer as it is once it no longer streams: without its stream and connection state. */
function settled(m: AssistantMessage, status: Exclude<MessageStatus, 'streaming'>) {
  const { stream: _stream, reconnecting: _reconnecting, ...rest } = m;
  return { ...rest, status };
}

/**
 * A reload mid-answer: an answer its API can resume (and `resume` says this page will) stays
 * streaming, marked reconnecting; any other is kept as stopped, saying it is incomplete.
 */
export function settleInterrupted(chat: Chat, resume = false): Chat {
  if (!chat.messages.some((m) => m.role === 'assistant' && m.status === 'streaming')) return chat;
  return {
    ...chat,
    messages: chat.messages.map((m) => {
      if (m.role !== 'assistant' || m.status !== 'streaming') return m;
      return resume && m.stream?.resumable ? { ...m, reconnecting: true } : settled(m, 'stopped');
    }),
  };
}

/** The streaming answers of `state` (after a reload: those to resume), with their chats. */
export function streamingAnswers(
  state: ChatsState,
): { chatId: string; answer: AssistantMessage }[] {
  return state.chats.flatMap((chat) =>
    chat.messages.flatMap((m) =>
      m.role === 'assistant' && m.status === 'streaming' ? [{ chatId: chat.id, answer: m }] : [],
    ),
  );
}

function updateChat(
  state: ChatsState,
  id: string,
  update: (chat: Chat) => Chat,
  touch = true,
): ChatsState {
  let changed = false;
  const chats = state.chats.map((chat) => {
    if (chat.id !== id) return chat;
    changed = true;
    const next = update(chat);
    return touch ? { ...next, updatedAt: Math.max(Date.now(), chat.updatedAt) } : next;
  });
  if (!changed) return state;
  return { ...state, chats: touch ? chats.sort(byRecent) : chats };
}

function updateMessage(
  chat: Chat,
  messageId: string,
  update: (m: AssistantMessage) => AssistantMessage,
): Chat {
  return {
    ...chat,
    messages: chat.messages.map((m) =>
      m.id === messageId && m.role === 'assistant' ? update(m) : m,
    ),
  };
}

/** Drop the trailing answer(s) after the last user message, so a new answer takes their place. */
function withoutTrailingAnswers(messages: Message[]): Message[] {
  let end = messages.length;
  while (end > 0 && messages[end - 1]?.role === 'assistant') end--;
  return messages.slice(0, end);
}

export function chatsReducer(state: ChatsState, action: ChatAction): ChatsState {
  switch (action.type) {
    case 'hydrate': {
      const chats = action.chats.map((c) => settleInterrupted(c, action.resume)).sort(byRecent);
      return { chats, activeId: state.activeId ?? chats[0]?.id, loaded: true };
    }
    case 'create':
      return {
        ...state,
        chats: [action.chat, ...state.chats].sort(byRecent),
        activeId: action.chat.id,
      };
    case 'select':
      return state.chats.some((c) => c.id === action.id)
        ? { ...state, activeId: action.id }
        : state;
    case 'rename': {
      const title = action.title.trim();
      if (!title) return state;
      return updateChat(state, action.id, (c) => ({ ...c, title, titleLocked: true }), false);
    }
    case 'delete': {
      const chats = state.chats.filter((c) => c.id !== action.id);
      const activeId = state.activeId === action.id ? chats[0]?.id : state.activeId;
      return { ...state, chats, activeId };
    }
    case 'restore': {
      // Deleting aborted any answer it was streaming: it comes back stopped, not streaming.
      if (state.chats.some((c) => c.id === action.chat.id)) return state;
      const chat = settleInterrupted(action.chat);
      return { ...state, chats: [...state.chats, chat].sort(byRecent), activeId: chat.id };
    }
    case 'import': {
      const incoming = new Map(action.chats.map((c) => [c.id, settleInterrupted(c)] as const));
      const kept = state.chats.filter((c) => !incoming.has(c.id));
      const chats = [...kept, ...incoming.values()].sort(byRecent);
      return { ...state, chats, activeId: state.activeId ?? chats[0]?.id };
    }
    case 'settings':
      return updateChat(state, action.id, (c) => ({ ...c, settings: action.settings }), false);
    case 'send':
      return updateChat(state, action.id, (c) => ({
        ...c,
        title: c.titleLocked || c.messages.length > 0 ? c.title : titleOf(action.user),
        messages: [...c.messages, action.user, action.assistant],
      }));
    case 'regenerate':
      return updateChat(state, action.id, (c) => ({
        ...c,
        messages: [...withoutTrailingAnswers(c.messages), action.assistant],
      }));
    case 'edit':
      return updateChat(state, action.id, (c) => {
        const index = c.messages.findIndex((m) => m.id === action.messageId && m.role === 'user');
        if (index < 0) return c;
        const edited: UserMessage = {
          ...(c.messages[index] as UserMessage),
          content: action.content,
        };
        if (action.attachments) {
          if (action.attachments.length) edited.attachments = action.attachments;
          else delete edited.attachments;
        }
        return {
          ...c,
          title: c.titleLocked || index > 0 ? c.title : titleOf(edited),
          messages: [...c.messages.slice(0, index), edited, action.assistant],
        };
      });
    case 'delta': {
      const { delta } = action;
      return updateChat(
        state,
        action.id,
        (c) =>
          updateMessage(c, action.messageId, (m) =>
            m.status !== 'streaming'
              ? m
              : {
                  ...m,
                  content: m.content + delta.content,
                  reasoning: m.reasoning + delta.reasoning,
                  usage: delta.usage ?? m.usage,
                  finishReason: delta.finishReason ?? m.finishReason,
                  model: delta.model ?? m.model,
                  ...(delta.toolCalls?.length
                    ? { toolCalls: mergeToolCalls(m.toolCalls ?? [], delta.toolCalls) }
                    : {}),
                  ...(delta.sources?.length ? { sources: delta.sources } : {}),
                  ...(delta.answeredBy ? { answeredBy: delta.answeredBy } : {}),
                  ...streamUpdate(m.stream, delta),
                  ...(delta.reconnecting !== undefined
                    ? { reconnecting: delta.reconnecting || undefined }
                    : {}),
                },
          ),
        false,
      );
    }
    case 'finish':
      return updateChat(state, action.id, (c) =>
        updateMessage(c, action.messageId, (m) =>
          m.status !== 'streaming'
            ? m
            : {
                ...settled(m, action.status),
                error: action.error,
                ...(action.attachmentIssues?.length
                  ? { attachmentIssues: action.attachmentIssues }
                  : {}),
              },
        ),
      );
  }
}

/** The stream a delta names (headers) and the frame id it brings, merged into the answer's. */
function streamUpdate(current: StreamRef | undefined, delta: StreamDelta): { stream?: StreamRef } {
  if (!delta.stream && delta.eventId === undefined) return {};
  const base = delta.stream ?? current;
  if (!base) return {};
  const lastEventId = delta.eventId ?? current?.lastEventId;
  return { stream: { ...base, ...(lastEventId !== undefined ? { lastEventId } : {}) } };
}

export const activeChat = (state: ChatsState): Chat | undefined =>
  state.chats.find((c) => c.id === state.activeId);

export const isStreaming = (chat: Chat | undefined): boolean =>
  !!chat?.messages.some((m) => m.role === 'assistant' && m.status === 'streaming');
