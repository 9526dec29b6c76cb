import type { ChatMessage, ChatRequestInput } from '@zai-chat/contract';
import type { Chat, Message } from './types';

/**
 * The contract request for a chat's history. Failed and empty answers are left out: they were
 * never part of the conversation the model saw. Stopped partial answers stay, as the user saw them.
 */
export function buildChatRequest(
  chat: Pick<Chat, 'settings'>,
  history: Message[],
): ChatRequestInput {
  const { settings } = chat;
  const messages: ChatMessage[] = [];
  if (settings.systemPrompt.trim())
    messages.push({ role: 'system', content: settings.systemPrompt });
  for (const m of history) {
    if (m.role === 'user') messages.push({ role: 'user', content: m.content });
    else if (m.status !== 'error' && m.content)
      messages.push({ role: 'assistant', content: m.content });
  }
  return {
    model: settings.model || undefined,
    messages,
    stream: true,
    temperature: settings.temperature,
    top_p: settings.top_p,
    max_tokens: settings.max_tokens,
    thinking: { type: settings.thinking ? 'enabled' : 'disabled' },
  };
}
