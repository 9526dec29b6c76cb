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
import {
  AnswerRun,
  type Connect,
  type RunDeps,
  type RunEvents,
  type StreamHooks,
} from './answerRun';
import { findModel } from './models';
import { type BuiltRequest, attachmentIssues, buildRequest } from './request';
import {
  type ChatAction,
  type ChatsState,
  activeChat,
  chatsReducer,
  initialState,
  isStreaming,
  streamingAnswers,
} from './reducer';
import { StreamBatcher } from './streamBatcher';
import type {
  AssistantMessage,
  Attachment,
  AttachmentIssue,
  Chat,
  ChatSettings,
  Message,
  StreamRef,
} from './types';

/** An image ready to send: its facts and its pixels as a data URL. */
export interface NewImage extends Omit<Attachment, 'id'> {
  dataUrl: string;
}

export type { StreamHooks } from './answerRun';

export interface ChatControllerDeps extends RunDeps {
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
  announce?: (text: string) => void;
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
  /** The answer being read in each chat (at most one), until its reading has ended. */
  private readonly running = new Map<string, AnswerRun>();
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

  /**
   * The chats as stored. An answer that was streaming when the page went away is resumed
   * where its saved text ends, when its API said it could be; any other is kept as stopped.
   */
  hydrate(chats: Chat[]): void {
    const resume = this.deps.resume !== undefined;
    this.dispatch({ type: 'hydrate', chats, resume });
    if (!resume) return;
    for (const { chatId, answer } of streamingAnswers(this.state)) {
      if (answer.stream && !this.running.has(chatId))
        void this.run(chatId, answer.id, undefined, answer.stream);
    }
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
    this.running.get(id)?.stop();
    const chat = this.state.chats.find((c) => c.id === id);
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

  /** Stop the active chat's answer (Stop, Esc): it ends as stopped at once, text kept. */
  stop(): void {
    const id = this.state.activeId;
    if (id) this.running.get(id)?.stop();
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
    this.running.get(chatId)?.stop();
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

  /**
   * Read an answer into message `messageId`: a new one from the request `build` makes, or
   * one saved mid-stream, resumed `from` its last frame.
   */
  private async run(
    chatId: string,
    messageId: string,
    build: (() => BuiltRequest | Promise<BuiltRequest>) | undefined,
    from?: StreamRef,
  ): Promise<void> {
    const announce = this.deps.announce ?? (() => {});
    if (!from) announce('Answer started');
    const deliver = (delta: Parameters<ConstructorParameters<typeof StreamBatcher>[0]>[0]) =>
      this.dispatch({ type: 'delta', id: chatId, messageId, delta });
    const batcher = this.deps.batcher?.(deliver) ?? new StreamBatcher(deliver);
    const blank = { content: '', reasoning: '' };
    let built: BuiltRequest | undefined;
    const first: Connect = (signal, hooks) =>
      requestStream(
        build!,
        (request) => this.deps.stream((built = request).request, signal, hooks),
        signal,
      );
    const events: RunEvents = {
      chunk: (chunk, eventId) => batcher.push(chunk, eventId),
      stream: (stream) => deliver({ ...blank, stream }),
      answeredBy: (answeredBy) => deliver({ ...blank, answeredBy }),
      reconnecting: (reconnecting) => deliver({ ...blank, reconnecting }),
      finish: (status, err) => {
        batcher.flush();
        let error: ErrorBody['error'] | undefined;
        let issues: AttachmentIssue[] | undefined;
        if (status === 'error') {
          error = toErrorBody(err);
          // The API names refused images by request path: point at the attachments themselves.
          if (error.code === 'image_too_large' && built)
            issues = attachmentIssues(error.issues, built.origins).attached;
        }
        this.dispatch({
          type: 'finish',
          id: chatId,
          messageId,
          status,
          error,
          attachmentIssues: issues,
        });
        announce(
          `Answer ${status === 'done' ? 'finished' : status === 'error' ? 'failed' : 'stopped'}`,
        );
      },
    };
    const answer = new AnswerRun(first, this.deps, events, from);
    this.running.set(chatId, answer);
    try {
      await answer.run();
    } finally {
      if (this.running.get(chatId) === answer) this.running.delete(chatId);
    }
  }
}

/** Build the request (maybe reading images first), then stream it; an abort ends either. */
async function* requestStream(
  build: () => BuiltRequest | Promise<BuiltRequest>,
  stream: (built: BuiltRequest) => AsyncIterable<ChatChunk>,
  signal: AbortSignal,
): AsyncGenerator<ChatChunk, void, undefined> {
  const pending = build();
  const built = pending instanceof Promise ? await pending : pending;
  if (signal.aborted) throw signal.reason;
  yield* stream(built);
}
