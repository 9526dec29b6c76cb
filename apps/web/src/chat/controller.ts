import {
  type ChatChunk,
  type ChatRequestInput,
  ChatApiError,
  type ErrorBody,
  ERRORS,
} from '@zai-chat/contract';
import { newId } from '../lib/id';
import { buildChatRequest } from './request';
import {
  type ChatAction,
  type ChatsState,
  activeChat,
  chatsReducer,
  initialState,
  isStreaming,
} from './reducer';
import { StreamBatcher } from './streamBatcher';
import type { AssistantMessage, Chat, ChatSettings } from './types';

export interface ChatControllerDeps {
  /** The typed stream (the contract's `streamChat` in the app, a fake in tests). */
  stream(request: ChatRequestInput, signal: AbortSignal): AsyncIterable<ChatChunk>;
  /** Defaults for new chats and where changed settings are remembered. */
  defaults(): ChatSettings;
  saveDefaults(settings: ChatSettings): void;
  announce?(text: string): void;
  /** Hands stream deltas over at most once a frame; tests pass one that delivers at once. */
  batcher?(
    deliver: ConstructorParameters<typeof StreamBatcher>[0],
  ): Pick<StreamBatcher, 'push' | 'flush'>;
}

const emptyAnswer = (): AssistantMessage => ({
  id: newId(),
  role: 'assistant',
  content: '',
  reasoning: '',
  status: 'streaming',
  createdAt: Date.now(),
});

function toErrorBody(err: unknown): ErrorBody['error'] {
  if (err instanceof ChatApiError) return err.body;
  return {
    code: 'stream_interrupted',
    message: ERRORS.stream_interrupted.message,
    requestId: '',
  };
}

export function blankChat(settings: ChatSettings): Chat {
  const now = Date.now();
  return {
    id: newId(),
    title: 'New chat',
    titleLocked: false,
    createdAt: now,
    updatedAt: now,
    settings,
    messages: [],
  };
}

/**
 * All chat state and the actions on it, without React: the reducer's state, the streams in
 * flight (one per chat) and their abort. Views subscribe; storage mirrors `state.chats`.
 */
export class ChatController {
  private state: ChatsState = initialState;
  private readonly listeners = new Set<() => void>();
  private readonly running = new Map<string, AbortController>();
  private maxTokensCeiling: number | undefined;

  constructor(private readonly deps: ChatControllerDeps) {}

  getState = (): ChatsState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The API's `max_tokens` ceiling (`GET /api/config`); requests are clamped to it. */
  setMaxTokensCeiling(ceiling: number | undefined): void {
    this.maxTokensCeiling = ceiling;
  }

  get active(): Chat | undefined {
    return activeChat(this.state);
  }

  /** Whether the active chat has an answer streaming (from state, so views can derive it). */
  isStreaming(): boolean {
    return isStreaming(this.active);
  }

  private dispatch(action: ChatAction): void {
    const next = chatsReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  hydrate(chats: Chat[]): void {
    this.dispatch({ type: 'hydrate', chats });
  }

  newChat(): void {
    const current = this.active;
    if (current && current.messages.length === 0) return; // reuse the empty chat
    this.dispatch({ type: 'create', chat: blankChat(this.deps.defaults()) });
  }

  select(id: string): void {
    this.dispatch({ type: 'select', id });
  }

  rename(id: string, title: string): void {
    this.dispatch({ type: 'rename', id, title });
  }

  /** Delete a chat (aborting its answer); returns it so it can be restored. */
  remove(id: string): Chat | undefined {
    const chat = this.state.chats.find((c) => c.id === id);
    this.running.get(id)?.abort();
    this.dispatch({ type: 'delete', id });
    return chat;
  }

  restore(chat: Chat): void {
    this.dispatch({ type: 'restore', chat });
  }

  importChats(chats: Chat[]): void {
    this.dispatch({ type: 'import', chats });
  }

  updateSettings(settings: ChatSettings): void {
    this.deps.saveDefaults(settings);
    const id = this.state.activeId;
    if (id) this.dispatch({ type: 'settings', id, settings });
  }

  /** Send a question in the active chat (a new one if there is none); resolves when answered. */
  send(text: string): Promise<void> {
    const content = text.trim();
    if (!content) return Promise.resolve();
    const existing = this.active;
    if (!existing) this.dispatch({ type: 'create', chat: blankChat(this.deps.defaults()) });
    const chatId = this.state.activeId!;
    const user = { id: newId(), role: 'user' as const, content, createdAt: Date.now() };
    return this.startAnswer(chatId, (assistant) => ({ type: 'send', id: chatId, user, assistant }));
  }

  stop(): void {
    const id = this.state.activeId;
    if (id) this.running.get(id)?.abort();
  }

  regenerate(): Promise<void> {
    const id = this.state.activeId;
    if (!id) return Promise.resolve();
    return this.startAnswer(id, (assistant) => ({ type: 'regenerate', id, assistant }));
  }

  edit(messageId: string, text: string): Promise<void> {
    const content = text.trim();
    const id = this.state.activeId;
    if (!id || !content) return Promise.resolve();
    return this.startAnswer(id, (assistant) => ({
      type: 'edit',
      id,
      messageId,
      content,
      assistant,
    }));
  }

  /** Add a new, empty answer through `makeAction`, then stream into it from the new history. */
  private startAnswer(
    chatId: string,
    makeAction: (assistant: AssistantMessage) => ChatAction,
  ): Promise<void> {
    this.running.get(chatId)?.abort();
    const assistant = emptyAnswer();
    this.dispatch(makeAction(assistant));
    const chat = this.state.chats.find((c) => c.id === chatId);
    if (!chat?.messages.some((m) => m.id === assistant.id)) return Promise.resolve();
    const history = chat.messages.filter((m) => m.id !== assistant.id);
    return this.run(chatId, assistant.id, buildChatRequest(chat, history, this.maxTokensCeiling));
  }

  private async run(chatId: string, messageId: string, request: ChatRequestInput): Promise<void> {
    const controller = new AbortController();
    this.running.set(chatId, controller);
    const announce = this.deps.announce ?? (() => {});
    announce('Answer started');
    const deliver = (delta: Parameters<ConstructorParameters<typeof StreamBatcher>[0]>[0]) =>
      this.dispatch({ type: 'delta', id: chatId, messageId, delta });
    const batcher = this.deps.batcher?.(deliver) ?? new StreamBatcher(deliver);
    const finish = (
      status: 'done' | 'stopped' | 'error',
      error?: ErrorBody['error'],
      words = 'finished',
    ) => {
      batcher.flush();
      if (this.running.get(chatId) === controller) this.running.delete(chatId);
      this.dispatch({ type: 'finish', id: chatId, messageId, status, error });
      announce(`Answer ${words}`);
    };
    try {
      for await (const chunk of this.deps.stream(request, controller.signal)) batcher.push(chunk);
      finish('done');
    } catch (err) {
      if (controller.signal.aborted) finish('stopped', undefined, 'stopped');
      else finish('error', toErrorBody(err), 'failed');
    }
  }
}
