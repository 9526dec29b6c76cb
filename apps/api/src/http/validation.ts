import type { ChatRequest, ErrorCode, FieldIssue } from '@zai-chat/contract';
import type { ZodIssue } from 'zod';
import type { Config } from '../config';

type Limits = Config['limits'];

export interface Refusal {
  code: ErrorCode;
  issues: FieldIssue[];
}

/**
 * This deployment's limits on a request that already matched the contract's schema (ts-rest
 * checked it): images first (their own typed code), then counts, lengths and `max_tokens`.
 * Every bad field is named.
 */
export function checkLimits(request: ChatRequest, limits: Limits): Refusal | undefined {
  const images = imageIssues(request, limits);
  if (images.length) return { code: 'image_too_large', issues: images };
  const issues: FieldIssue[] = [];
  if (request.messages.length > limits.maxMessages) {
    issues.push({
      path: 'messages',
      message: `At most ${limits.maxMessages} messages are allowed`,
    });
  }
  request.messages.forEach((message, i) => {
    if (textLength(message.content) > limits.maxMessageChars) {
      issues.push({
        path: `messages.${i}.content`,
        message: `Each message may hold at most ${limits.maxMessageChars} characters of text`,
      });
    }
  });
  if (request.max_tokens !== undefined && request.max_tokens > limits.maxTokensCeiling) {
    issues.push({
      path: 'max_tokens',
      message: `max_tokens may be at most ${limits.maxTokensCeiling}`,
    });
  }
  return issues.length ? { code: 'bad_request', issues } : undefined;
}

/** The schema's complaints as field issues: at most a few, each a short excerpt. */
export function schemaIssues(issues: ZodIssue[]): FieldIssue[] {
  return issues.slice(0, MAX_ISSUES).map(toFieldIssue);
}

type Content = ChatRequest['messages'][number]['content'];
type Part = Exclude<Content, string | null | undefined>[number];

const isText = (p: Part): p is Part & { type: 'text'; text: string } =>
  p.type === 'text' && typeof p.text === 'string';
const imageUrl = (p: Part): string | undefined =>
  p.type === 'image_url'
    ? (p.image_url as { url?: unknown } | undefined)?.url?.toString()
    : undefined;

/**
 * Text counts against the per-message character limit; images do not (a 150 KB photo is
 * 200,000 characters of base64). They have their own limits: bytes per image and images
 * per request, checked here so the answer names the attachment instead of a body limit.
 */
function textLength(content: Content): number {
  if (typeof content === 'string') return content.length;
  if (!content) return 0;
  return content.reduce((n, part) => n + (isText(part) ? part.text.length : 0), 0);
}

function imageIssues(request: ChatRequest, limits: Limits): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let count = 0;
  request.messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, j) => {
      const url = imageUrl(part);
      if (url === undefined) return;
      count++;
      const bytes = dataUrlBytes(url);
      if (bytes > limits.maxImageBytes) {
        issues.push({
          path: `messages.${i}.content.${j}`,
          message: `This image is ${formatBytes(bytes)}; images may be at most ${formatBytes(limits.maxImageBytes)}`,
        });
      }
    });
  });
  if (count > limits.maxImagesPerRequest) {
    issues.push({
      path: 'messages',
      message: `At most ${limits.maxImagesPerRequest} images per request (this one has ${count})`,
    });
  }
  return issues;
}

/** Decoded size of a base64 data URL; an https URL costs only its length (Z.AI fetches it). */
export function dataUrlBytes(url: string): number {
  if (!url.startsWith('data:')) return url.length;
  const comma = url.indexOf(',');
  const meta = url.slice(5, comma);
  const payload = comma < 0 ? '' : url.slice(comma + 1);
  if (!meta.endsWith(';base64')) return payload.length;
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  return Math.floor((payload.length * 3) / 4) - padding;
}

const formatBytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

const MAX_ISSUES = 20;
/** Messages quote at most this much of what was sent: a 1 MB bad value is not echoed back. */
const MAX_ISSUE_CHARS = 200;

function toFieldIssue(issue: ZodIssue): FieldIssue {
  return {
    path: truncate(issue.path.join('.') || '(body)'),
    message: truncate(issue.message),
  };
}

const truncate = (text: string) =>
  text.length > MAX_ISSUE_CHARS ? `${text.slice(0, MAX_ISSUE_CHARS)}…` : text;

export function describeIssues(issues: FieldIssue[]): string {
  return truncate(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
}
