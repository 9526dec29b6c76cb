import { ERRORS, type ErrorBody, type ErrorCode, type FieldIssue } from '@zai-chat/contract';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';

export function errorBody(
  code: ErrorCode,
  requestId: string,
  extra: { message?: string; issues?: FieldIssue[]; retryAfter?: number } = {},
): ErrorBody {
  const { message, ...rest } = extra;
  return { error: { code, message: message ?? ERRORS[code].message, requestId, ...rest } };
}

export function sendError(
  req: Request,
  res: Response,
  code: ErrorCode,
  extra: Parameters<typeof errorBody>[2] = {},
): void {
  if (extra.retryAfter !== undefined)
    res.setHeader('Retry-After', String(Math.ceil(extra.retryAfter)));
  res.status(ERRORS[code].status).json(errorBody(code, String(req.id), extra));
}

export const notFound: RequestHandler = (req, res) => sendError(req, res, 'not_found');

/** body-parser's error types → our codes; anything else is ours to fix, logged as a 500. */
const BODY_ERRORS: Record<string, ErrorCode> = {
  'entity.too.large': 'payload_too_large',
  'entity.parse.failed': 'invalid_json',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'request.aborted': 'bad_request',
  'request.size.invalid': 'bad_request',
  'stream.encoding.set': 'bad_request',
  'stream.not.readable': 'bad_request',
};

/**
 * body-parser's errors without a known type still carry a 4xx status: e.g. a corrupt gzip or
 * deflate body is a zlib error wrapped as a 400. That is the client's fault, not a 500.
 */
function byClientStatus(err: unknown): ErrorCode | undefined {
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ??
    (err as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  return 'bad_request';
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const type = (err as { type?: string }).type;
  const code: ErrorCode =
    (type ? BODY_ERRORS[type] : undefined) ?? byClientStatus(err) ?? 'internal';
  if (code === 'internal') req.log.error({ err }, 'unhandled error');
  if (res.headersSent) return void res.end();
  sendError(req, res, code);
};
