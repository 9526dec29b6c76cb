import {
  type ApiConfig,
  type ChatChunk,
  type ChatRequestInput,
  ChatApiError,
  type ErrorBody,
  ERRORS,
  type ModelInfo,
} from '@zai-chat/contract';
import { newId } from '../lib/id';
import { findModel } from './models';
import { type BuiltRequest, attachmentIssues, buildRequest } from './request';
import {
  type ChatAction,
  type ChatsState,
  activeChat,
  chatsReducer,
  initialState,
  isStreaming,
} from './reducer';
import { StreamBatcher } from './streamBatcher';
import type {
  AnsweredBy,
  AssistantMessage,
  Attachment,
  AttachmentIssue,
  Chat,
  ChatSettings,
  Message,
} from './types';

/** An image ready to send: its facts and its pixels as a data URL. */
export interface NewImage extends Omit<Attachment, 'id'> {
  dataUrl: string;
}

export interface StreamHooks {
  /** Which backend took the request (several may be configured). */
  onAnsweredBy?(answer: AnsweredBy): void;
}

export interface ChatControllerDeps {
  /** The typed stream (the contract's `streamChat` in the app, a fake in tests). */
  stream(
    request: ChatRequestInput,
    signal: AbortSignal,
    hooks: StreamHooks,
  ): AsyncIterable<ChatChunk>;
  /** Where attached images' pixels are kept (IndexedDB in the app); none: text only. */
  images?: {
    put(id: string, dataUrl: string): void;
    /** The data URL if it is in memory already. */
    get(id: string): string | undefined;
    load(id: string): Promise<string | undefined>;
  };
  /** Defaults for new chats and where changed settings are remembered. */
  defaults(): ChatSettings;
  saveDefaults(settings: ChatSettings): void;
  announce?(text: string): void;
  /** Hands stream deltas over at most once a frame; tests pass one that delivers at once. */
  batcher?(
    deliver: ConstructorParameters<typeof StreamBatcher>[0],
  ): Pick<StreamBatcher, 'push' | 'flush'>;
}

/** Bytes of a request body kept for text and JSON when earlier images are resent. */
const IMAGE_BODY_MARGIN = 512 * 1024;

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
  private config: ApiConfig | undefined;

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

  /** What the API accepts: the ceiling, the image limit, and each model's capabilities. */
  setApiConfig(config: ApiConfig | undefined): void {
    this.config = config;
    this.setMaxTokensCeiling(config?.limits.maxTokensCeiling);
  }

  /** The capabilities of `model` ('' is the API's default), when the API listed it. */
  modelInfo(model: string): ModelInfo | undefined {
    return findModel(this.config, model);
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

  /**
   * Send a question (text, images or both) in the active chat (a new one if there is none);
   * resolves when answered. The images' pixels go to the image store, the message keeps ids.
   */
  send(text: string, images: readonly NewImage[] = []): Promise<void> {
    const content = text.trim();
    if (!content && images.length === 0) return Promise.resolve();
    const existing = this.active;
    if (!existing) this.dispatch({ type: 'create', chat: blankChat(this.deps.defaults()) });
    const chatId = this.state.activeId!;
    const attachments = images.map(({ dataUrl, ...facts }) => {
      const attachment: Attachment = { id: newId(), ...facts };
      this.deps.images?.put(attachment.id, dataUrl);
      return attachment;
    });
    const user = {
      id: newId(),
      role: 'user' as const,
      content,
      createdAt: Date.now(),
      ...(attachments.length ? { attachments } : {}),
    };
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

  /** Resend a question changed; `attachments`, when given, are the ones it keeps. */
  edit(messageId: string, text: string, attachments?: Attachment[]): Promise<void> {
    const content = text.trim();
    const id = this.state.activeId;
    const original = this.active?.messages.find((m) => m.id === messageId);
    const images = attachments ?? (original?.role === 'user' ? original.attachments : undefined);
    if (!id || (!content && !images?.length)) return Promise.resolve();
    return this.startAnswer(id, (assistant) => ({
      type: 'edit',
      id,
      messageId,
      content,
      ...(attachments ? { attachments } : {}),
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
    return this.run(chatId, assistant.id, () => this.build(chat, history));
  }

  /**
   * The request for `history`, once the images it sends are read from the store. Without
   * images to read it is built at once, so the request leaves in the same task as the click.
   */
  private build(chat: Chat, history: Message[]): BuiltRequest | Promise<BuiltRequest> {
    const make = (imageUrl: (id: string) => string | undefined) =>
      buildRequest(chat, history, {
        maxTokensCeiling: this.maxTokensCeiling,
        model: this.modelInfo(chat.settings.model),
        maxImages: this.config?.limits.maxImagesPerRequest,
        // The body limit counts the whole JSON: leave room for the text around the images.
        maxImageChars: this.config && this.config.limits.bodyBytes - IMAGE_BODY_MARGIN,
        imageUrl,
      });
    const images = this.deps.images;
    const ids = history.flatMap((m) => (m.role === 'user' ? (m.attachments ?? []) : []));
    if (!images || ids.every((a) => images.get(a.id) !== undefined))
      return make((id) => images?.get(id));
    return Promise.all(ids.map(async (a) => [a.id, await images.load(a.id)] as const)).then(
      (loaded) => {
        const urls = new Map(loaded);
        return make((id) => urls.get(id));
      },
    );
  }

  private async run(
    chatId: string,
    messageId: string,
    build: () => BuiltRequest | Promise<BuiltRequest>,
  ): Promise<void> {
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
      issues?: AttachmentIssue[],
    ) => {
      batcher.flush();
      if (this.running.get(chatId) === controller) this.running.delete(chatId);
      this.dispatch({
        type: 'finish',
        id: chatId,
        messageId,
        status,
        error,
        attachmentIssues: issues,
      });
      announce(`Answer ${words}`);
    };
    const hooks: StreamHooks = {
      onAnsweredBy: (answeredBy) =>
        this.dispatch({
          type: 'delta',
          id: chatId,
          messageId,
          delta: { content: '', reasoning: '', answeredBy },
        }),
    };
    let built: BuiltRequest | undefined;
    try {
      const pending = build();
      built = pending instanceof Promise ? await pending : pending;
      if (controller.signal.aborted) throw controller.signal.reason;
      for await (const chunk of this.deps.stream(built.request, controller.signal, hooks))
        batcher.push(chunk);
      finish('done');
    } catch (err) {
      if (controller.signal.aborted) return finish('stopped', undefined, 'stopped');
      const body = toErrorBody(err);
      // The API names refused images by request path: point at the attachments themselves.
      const issues =
        body.code === 'image_too_large' && built
          ? attachmentIssues(body.issues, built.origins).attached
          : undefined;
      finish('error', body, 'failed', issues);
    }
  }
}
