import { type ChatRequest, type FieldIssue, contract } from '@zai-chat/contract';
import type { ZodIssue } from 'zod';
import type { Config } from '../config';

export type Validated = { ok: true; request: ChatRequest } | { ok: false; issues: FieldIssue[] };

/** The contract's schema first, then this deployment's limits; every bad field is named. */
export function validateChatRequest(body: unknown, limits: Config['limits']): Validated {
  const parsed = contract.chat.body.safeParse(body);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map(toFieldIssue) };
  const request = parsed.data;
  const issues: FieldIssue[] = [];
  if (request.messages.length > limits.maxMessages) {
    issues.push({
      path: 'messages',
      message: `At most ${limits.maxMessages} messages are allowed`,
    });
  }
  request.messages.forEach((message, i) => {
    if (contentLength(message.content) > limits.maxMessageChars) {
      issues.push({
        path: `messages.${i}.content`,
        message: `Each message may hold at most ${limits.maxMessageChars} characters`,
      });
    }
  });
  if (request.max_tokens !== undefined && request.max_tokens > limits.maxTokensCeiling) {
    issues.push({
      path: 'max_tokens',
      message: `max_tokens may be at most ${limits.maxTokensCeiling}`,
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, request };
}

function contentLength(content: ChatRequest['messages'][number]['content']): number {
  if (typeof content === 'string') return content.length;
  if (!content) return 0;
  return content.reduce(
    (n, part) => n + (part.type === 'text' ? part.text.length : part.image_url.url.length),
    0,
  );
}

function toFieldIssue(issue: ZodIssue): FieldIssue {
  return { path: issue.path.join('.') || '(body)', message: issue.message };
}

export function describeIssues(issues: FieldIssue[]): string {
  return `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
}
