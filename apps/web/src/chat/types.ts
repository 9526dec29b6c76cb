import type { ErrorBody, FinishReason, Usage } from '@zai-chat/contract';
import type { Source } from './sources';
import type { ToolCall } from './toolCalls';

/** Request settings a chat keeps; names follow the contract's ChatRequest fields. */
export interface ChatSettings {
  model: string;
  systemPrompt: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
  thinking: boolean;
}

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

/** An image sent with a question. Its pixels live in the image store (IndexedDB), by `id`. */
export interface Attachment {
  id: string;
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

export interface UserMessage {
  id: string;
  role: 'user';
  content: string;
  createdAt: number;
  attachments?: Attachment[];
}

/** The API refused one attachment of an earlier question (`image_too_large`, by its path). */
export interface AttachmentIssue {
  messageId: string;
  attachmentId: string;
  message: string;
}

/** Which API answered (with several configured): its base, and the process when it said. */
export interface AnsweredBy {
  base: string;
  instance?: string;
}

/**
 * Where a streaming answer can be picked up again (its `X-Stream-Id`, the backend that sent
 * it, and the id of the last frame whose text is in `content`), saved with the partial answer.
 * Only while it streams: a settled answer drops it.
 */
export interface StreamRef {
  streamId: string;
  base: string;
  /** `X-Stream-Resumable`: the API registered it (Redis), so a reload can continue it. */
  resumable: boolean;
  lastEventId?: string;
}

export interface AssistantMessage {
  id: string;
  role: 'assistant';
  content: string;
  reasoning: string;
  status: MessageStatus;
  createdAt: number;
  model?: string;
  usage?: Usage;
  finishReason?: FinishReason;
  error?: ErrorBody['error'];
  /** With `error` `image_too_large`: which attachments, in the API's words. */
  attachmentIssues?: AttachmentIssue[];
  /** Tool calls the model asked for, assembled from the stream's fragments. */
  toolCalls?: ToolCall[];
  /** Z.AI's `web_search` results the answer cites. */
  sources?: Source[];
  answeredBy?: AnsweredBy;
  stream?: StreamRef;
  /** The connection was lost (or the page reloaded) and the answer is being picked up again. */
  reconnecting?: boolean;
}

export type Message = UserMessage | AssistantMessage;

export interface Chat {
  id: string;
  title: string;
  /** True once the user renamed it, so the first message no longer sets the title. */
  titleLocked: boolean;
  createdAt: number;
  updatedAt: number;
  settings: ChatSettings;
  messages: Message[];
}
