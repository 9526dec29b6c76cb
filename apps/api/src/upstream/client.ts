import type { Readable } from 'node:stream';
import {
  Agent as HttpAgent,
  type IncomingMessage,
  type ClientRequest,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { UpstreamKind } from '@zai-chat/contract';
import type { ZaiAuthMode } from '../config';
import { abortError } from './abort-error';
import { type AuthorizationProvider, createAuthorization } from './auth';
import {
  UpstreamFailure,
  businessCodeOf,
  mapUpstreamError,
  parseQuotaReset,
  parseRetryAfter,
} from './errors';

export interface UpstreamResponse {
  status: number;
  /** The response body as it arrives (a Node stream, backpressured by pause/resume). */
  body: Readable;
  text(): Promise<string>;
  /**
   * Abort this attempt's connection (idle timeout, shutdown); the body then fails with `reason`.
   * A closure, so it may be passed on detached from the response (`this: void`).
   */
  abort(this: void, reason: unknown): void;
}

export interface UpstreamClient {
  readonly kind: UpstreamKind;
  /**
   * POST `{base}/chat/completions`. Resolves once the upstream answered 2xx (its body is still
   * streaming); otherwise rejects with an UpstreamFailure. `signal` ends the request whenever
   * the client leaves or the total deadline passes.
   */
  send(
    body: object,
    options: { signal: AbortSignal; requestId: string },
  ): Promise<UpstreamResponse>;
}

export interface UpstreamClientOptions {
  kind: UpstreamKind;
  baseUrl: string;
  apiKey: string;
  auth: ZaiAuthMode;
  /** Time allowed for the upstream's response headers. */
  firstByteTimeoutMs: number;
}

const MAX_ERROR_BODY_CHARS = 64 * 1024;

/**
 * node:http(s) with a keep-alive agent + the contract's SSE parser, rather than the `openai` SDK
 * or fetch: the relay forwards each upstream frame's bytes untouched, maps Z.AI's business codes
 * itself, and owns retries and timeouts (the SDK's own would retry after bytes reached the
 * browser). node:http over fetch because the bench showed fetch's web streams costing ~3× the
 * CPU per request (README § Performance).
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const authorization: AuthorizationProvider = createAuthorization(options.apiKey, options.auth);

  return {
    kind: options.kind,
    async send(body, { signal, requestId }) {
      if (signal.aborted) throw signal.reason;
      const payload = JSON.stringify(body);
      const headers = {
        Authorization: await authorization(),
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
        Accept: 'text/event-stream, application/json',
        'X-Request-Id': requestId,
      };
      let req!: ClientRequest;
      let res: IncomingMessage | undefined;
      const abort = (reason: unknown) => {
        const err = reason instanceof Error ? reason : abortError(reason);
        res?.destroy(err);
        req.destroy(err);
      };
      const onParentAbort = () => abort(signal.reason);
      signal.addEventListener('abort', onParentAbort, { once: true });
      const release = () => signal.removeEventListener('abort', onParentAbort);

      try {
        res = await new Promise<IncomingMessage>((resolve, reject) => {
          req = send(url, { method: 'POST', agent, headers }, resolve);
          req.once('error', reject);
          req.setNoDelay(true);
          const firstByte = setTimeout(
            () =>
              abort(new UpstreamFailure('upstream_timeout', true, { cause: 'first byte timeout' })),
            options.firstByteTimeoutMs,
          );
          req.once('response', () => clearTimeout(firstByte));
          req.once('close', () => clearTimeout(firstByte));
          req.end(payload);
        });
      } catch (err) {
        release();
        if (signal.aborted) throw signal.reason;
        if (err instanceof UpstreamFailure) throw err;
        throw new UpstreamFailure('upstream_unavailable', true, { cause: describe(err) });
      }
      const response = res;
      // Errors after this point surface through the body (the relay's read) or text().
      response.once('close', release);
      const status = response.statusCode ?? 0;
      const text = () => readText(response);
      if (status < 200 || status >= 300) {
        const errorText = await text().catch(() => '');
        release();
        const said = upstreamError(errorText.slice(0, MAX_ERROR_BODY_CHARS));
        // A quota that names its reset time outranks a shorter Retry-After header.
        const retryAfterMs =
          (said.message !== undefined ? parseQuotaReset(said.message) : undefined) ??
          parseRetryAfter(header(response, 'retry-after'));
        throw mapUpstreamError(status, said.code, retryAfterMs);
      }
      return { status, body: response, text, abort };
    },
  };
}

async function readText(body: IncomingMessage): Promise<string> {
  body.setEncoding('utf8');
  let text = '';
  for await (const piece of body) text += piece as string;
  return text;
}

function header(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Z.AI's error body `{"error":{"code","message"}}`; the message is read, never forwarded. */
function upstreamError(text: string): { code?: string; message?: string } {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return {
      code: businessCodeOf(error?.code),
      message: typeof error?.message === 'string' ? error.message : undefined,
    };
  } catch {
    return {};
  }
}

function describe(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.message : 'request failed');
}
