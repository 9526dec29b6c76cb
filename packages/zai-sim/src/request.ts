/** Reading what a chat request says, leniently: the body was only checked by validation.ts. */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function lastUserMessageText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      return m.content
        .map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : ''))
        .join(' ');
    }
  }
  return '';
}

/** Size of the conversation for `prompt_tokens`; `fallback` if it cannot be serialised. */
export function messagesLength(messages: unknown[], fallback: number): number {
  try {
    return JSON.stringify(messages).length;
  } catch {
    // Nested deeper than the stack allows: the raw body's size is as good an estimate.
    return fallback;
  }
}

/** The text of the conversation's last message when it is a tool result, else undefined. */
export function lastToolResult(messages: unknown[]): string | undefined {
  const last: unknown = messages.at(-1);
  if (!isRecord(last) || last.role !== 'tool') return undefined;
  const { content } = last;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : '')).join(' ');
  }
  if (content === undefined || content === null) return '';
  return messagesLength([content], 0) > 0 ? JSON.stringify(content) : '';
}
