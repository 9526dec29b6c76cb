import type { ChatMessage, ChatRequestInput } from '@zai-chat/contract';
import { sanitizeSettings } from './settings';
import type { Chat, Message } from './types';

/**
 * The contract request for a chat's history. Failed and empty answers are left out: they were
 * never part of the conversation the model saw. Stopped partial answers stay, as the user saw them.
 * Settings stored before the API lowered a limit are clamped to `maxTokensCeiling` here, so the
 * request is one the API accepts.
 */
export function buildChatRequest(
  chat: Pick<Chat, 'settings'>,
  history: Message[],
  maxTokensCeiling?: number,
): ChatRequestInput {
  const settings = sanitizeSettings(chat.settings, maxTokensCeiling);
  const messages: ChatMessage[] = [];
  if (settings.systemPrompt.trim())
    messages.push({ role: 'system', content: settings.systemPrompt });
  for (const m of history) {
    if (m.role === 'user') messages.push({ role: 'user', content: m.content });
    else if (m.status !== 'error' && m.content)
      messages.push({ role: 'assistant', content: m.content });
  }
  return {
    ...(settings.model ? { model: settings.model } : {}),
    messages,
    stream: true,
    temperature: settings.temperature,
    top_p: settings.top_p,
    max_tokens: settings.max_tokens,
    thinking: { type: settings.thinking ? 'enabled' : 'disabled' },
  };
}
