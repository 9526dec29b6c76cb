import type { ErrorBody, FinishReason, Usage } from '@zai-chat/contract';

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

export interface UserMessage {
  id: string;
  role: 'user';
  content: string;
  createdAt: number;
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
