import {
  ERRORS,
  type ErrorBody,
  type ErrorCode,
  type ErrorStatus,
  type FieldIssue,
  type OpenAiErrorBody,
  openAiErrorBody,
  openAiStatus,
} from '@zai-chat/contract';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';

export interface ErrorExtra {
  message?: string;
  issues?: FieldIssue[];
  /** Seconds; sent as Retry-After and in the body. */
  retryAfter?: number;
  /** Retrying cannot help now; defaults to the code's own advice (ERRORS[code].retry). */
  final?: boolean;
}

export function errorBody(code: ErrorCode, requestId: string, extra: ErrorExtra = {}): ErrorBody {
  const { message, issues, retryAfter } = extra;
  return {
    error: {
      code,
      message: message ?? ERRORS[code].message,
      requestId,
      ...(issues ? { issues } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    },
  };
}

/**
 * Headers every error carries: Retry-After when known, and `x-should-retry`, which the
 * openai SDK obeys, so a client never stacks its retries on top of the API's own.
 */
function setErrorHeaders(res: Response, code: ErrorCode, extra: ErrorExtra): boolean {
  const final = extra.final ?? ERRORS[code].retry === 'never';
  if (extra.retryAfter !== undefined)
    res.setHeader('Retry-After', String(Math.ceil(extra.retryAfter)));
  res.setHeader('x-should-retry', final ? 'false' : 'true');
  return final;
}

/** `/api/*`'s error answer, typed for a ts-rest handler. */
export function apiError<C extends ErrorCode>(
  req: Request,
  res: Response,
  code: C,
  extra: ErrorExtra = {},
): { status: ErrorStatus<C>; body: ErrorBody } {
  setErrorHeaders(res, code, extra);
  return { status: ERRORS[code].status, body: errorBody(code, String(req.id), extra) };
}

/** `/v1/*`'s error answer: OpenAI's shape, and a status SDKs do not retry when retrying cannot help. */
export function openAiError(
  _req: Request,
  res: Response,
  code: ErrorCode,
  extra: ErrorExtra = {},
): { status: ReturnType<typeof openAiStatus>; body: OpenAiErrorBody } {
  const final = setErrorHeaders(res, code, extra);
  const message = extra.message ?? ERRORS[code].message;
  return { status: openAiStatus(code, final), body: openAiErrorBody(code, message, extra.issues) };
}

export const isOpenAiRequest = (req: Request): boolean => req.path.startsWith('/v1/');

/** Outside a ts-rest handler (middleware, body parsing, 404): the request's surface decides the shape. */
export function sendError(req: Request, res: Response, code: ErrorCode, extra: ErrorExtra = {}) {
  const { status, body } = isOpenAiRequest(req)
    ? openAiError(req, res, code, extra)
    : apiError(req, res, code, extra);
  res.status(status).json(body);
}

export const notFound: RequestHandler = (req, res) => sendError(req, res, 'not_found');

/** body-parser's error types → our codes; anything else is ours to fix, logged as a 500. */
const BODY_ERRORS: Record<string, ErrorCode> = {
  'entity.too.large': 'payload_too_large',
  'entity.parse.failed': 'invalid_json',
  'entity.too.deep': 'bad_request',
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
  // Our own body checks say which limit was hit; body-parser's wording is not for clients.
  const message = type === 'entity.too.deep' ? (err as Error).message : undefined;
  sendError(req, res, code, message ? { message } : {});
};
