/**
 * Every error the API can answer with, declared once: its HTTP status, the words a person
 * reads (the API's `message` and the web app's text are the same string), the OpenAI error
 * `type` the `/v1` surface reports, and whether trying the same request again can help.
 * The API, the typed client and the web app all derive from this table.
 */

export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'image_too_large',
  'request_timeout',
  'unauthorized',
  'not_found',
  'stream_not_found',
  'rate_limited',
  'budget_exceeded',
  'too_many_streams',
  'insufficient_balance',
  'upstream_quota',
  'upstream_auth',
  'upstream_account',
  'model_not_found',
  'context_too_long',
  'content_filtered',
  'upstream_unavailable',
  'upstream_timeout',
  'upstream_protocol',
  'upstream_error',
  'shutting_down',
  'stream_interrupted',
  'stream_lost',
  'api_unreachable',
  'internal',
] as const;
/** The same union as `ErrorCode` in schemas.ts (the zod enum built from this list). */
type ErrorCode = (typeof ERROR_CODES)[number];

/** OpenAI's `error.type` values, so SDKs raise the error class their users already catch. */
export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error';

/**
 * `retry`: what a client should do with the same request.
 * - `never`: it cannot succeed as sent (bad input, auth, balance, a quota until its reset).
 * - `later`: it may succeed after a pause (honour `retryAfter`); the API has not retried it.
 * - `elsewhere`: this replica is going away; another one (or this one restarted) will answer.
 */
export interface ErrorSpec {
  status: 400 | 401 | 404 | 408 | 413 | 415 | 429 | 500 | 502 | 503 | 504;
  message: string;
  openAiType: OpenAiErrorType;
  retry: 'never' | 'later' | 'elsewhere';
}

export const ERRORS = {
  bad_request: {
    status: 400,
    message: 'The request was not accepted. Check the chat settings and try again.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  invalid_json: {
    status: 400,
    message: 'The request body is not valid JSON.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send the request as application/json.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  payload_too_large: {
    status: 413,
    message: 'This conversation is too large to send. Start a new chat or shorten it.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  image_too_large: {
    status: 413,
    message: 'An attached image is too large. Attach a smaller one.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  request_timeout: {
    status: 408,
    message: 'The request did not arrive in time. Check the connection and send it again.',
    openAiType: 'invalid_request_error',
    retry: 'later',
  },
  unauthorized: {
    status: 401,
    message: 'This chat service needs an access key. Enter the key you were given.',
    openAiType: 'authentication_error',
    retry: 'never',
  },
  not_found: {
    status: 404,
    message: 'There is nothing at this address.',
    openAiType: 'not_found_error',
    retry: 'never',
  },
  stream_not_found: {
    status: 404,
    message: 'That answer is no longer available to resume.',
    openAiType: 'not_found_error',
    retry: 'never',
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests right now. Wait a moment, then retry.',
    openAiType: 'rate_limit_error',
    retry: 'later',
  },
  budget_exceeded: {
    status: 429,
    message: 'Your token budget for today is used up. It resets at the time given.',
    openAiType: 'insufficient_quota',
    retry: 'never',
  },
  too_many_streams: {
    status: 429,
    message: 'Too many answers are streaming at once. Wait for one to finish, then retry.',
    openAiType: 'rate_limit_error',
    retry: 'later',
  },
  insufficient_balance: {
    status: 503,
    message: 'The Z.AI account behind this service has run out of balance.',
    openAiType: 'insufficient_quota',
    retry: 'never',
  },
  upstream_quota: {
    status: 429,
    message:
      'The Z.AI plan behind this service reached its usage cap. It resets at the time given.',
    openAiType: 'insufficient_quota',
    retry: 'never',
  },
  upstream_account: {
    status: 502,
    message:
      'The Z.AI account behind this service cannot be used right now. Its owner needs to act.',
    openAiType: 'server_error',
    retry: 'never',
  },
  upstream_auth: {
    status: 502,
    message: 'The server could not sign in to Z.AI. Its API key needs attention.',
    openAiType: 'server_error',
    retry: 'never',
  },
  model_not_found: {
    status: 400,
    message: 'That model is not available. Pick another one.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  context_too_long: {
    status: 400,
    message: 'The conversation is longer than the model can read. Start a new chat or shorten it.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  content_filtered: {
    status: 400,
    message: 'Z.AI judged the input unsafe and declined to answer.',
    openAiType: 'invalid_request_error',
    retry: 'never',
  },
  upstream_unavailable: {
    status: 502,
    message: 'Z.AI is unavailable right now. Retry in a moment.',
    openAiType: 'server_error',
    retry: 'later',
  },
  upstream_timeout: {
    status: 504,
    message: 'Z.AI took too long to answer.',
    openAiType: 'server_error',
    retry: 'later',
  },
  upstream_protocol: {
    status: 502,
    message: 'Z.AI sent an answer that could not be read.',
    openAiType: 'server_error',
    retry: 'later',
  },
  upstream_error: {
    status: 502,
    message: 'Z.AI stopped answering part way.',
    openAiType: 'server_error',
    retry: 'later',
  },
  shutting_down: {
    status: 503,
    message: 'The server is restarting. Retry in a moment.',
    openAiType: 'server_error',
    retry: 'elsewhere',
  },
  stream_interrupted: {
    status: 502,
    message: 'The connection was lost before the answer finished.',
    openAiType: 'server_error',
    retry: 'later',
  },
  stream_lost: {
    status: 502,
    message: 'The server producing this answer went away; the text so far is kept.',
    openAiType: 'server_error',
    retry: 'later',
  },
  api_unreachable: {
    status: 502,
    message: 'The chat service cannot be reached. Your chats are kept; retry when it is back.',
    openAiType: 'server_error',
    retry: 'later',
  },
  internal: {
    status: 500,
    message: 'Something went wrong on the server.',
    openAiType: 'server_error',
    retry: 'later',
  },
} as const satisfies Record<ErrorCode, ErrorSpec>;

/** The HTTP status of `code`, typed as its literal so ts-rest checks it against the contract. */
export type ErrorStatus<C extends ErrorCode = ErrorCode> = (typeof ERRORS)[C]['status'];

export const errorStatus = <C extends ErrorCode>(code: C): ErrorStatus<C> => ERRORS[code].status;

/** Best guess of a code for a bare HTTP status with no readable body (a proxy's error page). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      // A 5xx without our JSON body comes from whatever stands in front of the API.
      return status >= 500 ? 'api_unreachable' : 'bad_request';
  }
}
