import type { Usage } from '@zai-chat/contract';
import type { Logger } from '../logger';
import { estimateTokens } from './budgets';

export interface ExchangeRecord {
  identity: string;
  model: string;
  usage: Usage | undefined;
  /** Characters of the prompt (all messages' text) and of what was relayed back. */
  promptChars: number;
  relayedChars: number;
  durationMs: number;
  /** `done`, `client_gone`, or the error code that ended it. */
  outcome: string;
  /** The HTTP status the client got; 0 when a refusal is logged by the request's own line. */
  status: number;
  stream: boolean;
}

/** Tokens an exchange cost: Z.AI's usage when it came, else an estimate (and says which). */
export function tokensOf(record: ExchangeRecord): { tokens: number; estimated: boolean } {
  const u = record.usage;
  const reported =
    u?.total_tokens ??
    (u?.prompt_tokens != null || u?.completion_tokens != null
      ? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0)
      : undefined);
  if (typeof reported === 'number') return { tokens: reported, estimated: false };
  return { tokens: estimateTokens(record.promptChars, record.relayedChars), estimated: true };
}

/**
 * One audit line per exchange: who, which model, how many tokens, how long, how it ended (it
 * is also the request's log line). Never content.
 */
export function auditExchange(log: Logger, record: ExchangeRecord): number {
  const { tokens, estimated } = tokensOf(record);
  log.info(
    {
      audit: {
        identity: record.identity,
        model: record.model,
        stream: record.stream,
        promptTokens: record.usage?.prompt_tokens ?? undefined,
        completionTokens: record.usage?.completion_tokens ?? undefined,
        tokens,
        estimated,
        durationMs: Math.round(record.durationMs),
        outcome: record.outcome,
        ...(record.status ? { status: record.status } : {}),
      },
    },
    'exchange',
  );
  return tokens;
}

/** Characters of text in a request's messages (images and other parts not counted). */
export function promptChars(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let n = 0;
  for (const m of messages as { content?: unknown }[]) {
    const content = m?.content;
    if (typeof content === 'string') n += content.length;
    else if (Array.isArray(content)) {
      for (const part of content as { text?: unknown }[])
        if (typeof part?.text === 'string') n += part.text.length;
    }
  }
  return n;
}
