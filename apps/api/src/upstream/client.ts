import type { UpstreamKind } from '../config';
import { type AuthorizationProvider, createAuthorization } from './auth';
import { UpstreamFailure, mapUpstreamError, parseRetryAfter } from './errors';

export interface UpstreamResponse {
  response: Response;
  /** Abort this attempt's connection (idle timeout, shutdown). */
  abort(reason: unknown): void;
}

export interface UpstreamClient {
  readonly kind: UpstreamKind;
  /**
   * POST `{base}/chat/completions`. Resolves once the upstream answered 2xx (its body is still
   * streaming); otherwise rejects with an UpstreamFailure. `signal` ends the request whenever
   * the client leaves or the total deadline passes.
   */
  send(body: object, options: { signal: AbortSignal; requestId: string }): Promise<UpstreamResponse>;
}

export interface UpstreamClientOptions {
  kind: UpstreamKind;
  baseUrl: string;
  apiKey: string;
  auth: 'bearer' | 'jwt';
  /** Time allowed for the upstream's response headers. */
  firstByteTimeoutMs: number;
  fetch?: typeof fetch;
}

const MAX_ERROR_BODY_CHARS = 64 * 1024;

/**
 * fetch + the contract's SSE parser rather than the `openai` SDK: the relay forwards each
 * upstream frame's bytes untouched, maps Z.AI's business codes itself, and owns retries and
 * timeouts (the SDK's own would retry after bytes reached the browser). See README.
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const authorization: AuthorizationProvider = createAuthorization(options.apiKey, options.auth);
  const doFetch = options.fetch ?? globalThis.fetch;

  return {
    kind: options.kind,
    async send(body, { signal, requestId }) {
      const attempt = new AbortController();
      const onParentAbort = () => attempt.abort(signal.reason);
      if (signal.aborted) throw signal.reason;
      signal.addEventListener('abort', onParentAbort, { once: true });
      const firstByte = setTimeout(
        () => attempt.abort(new UpstreamFailure('upstream_timeout', true, { cause: 'first byte timeout' })),
        options.firstByteTimeoutMs,
      );
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            Authorization: await authorization(),
            'Content-Type': 'application/json',
            Accept: 'text/event-stream, application/json',
            'X-Request-Id': requestId,
          },
          body: JSON.stringify(body),
          signal: attempt.signal,
        });
      } catch (err) {
        signal.removeEventListener('abort', onParentAbort);
        if (attempt.signal.aborted) throw attempt.signal.reason;
        throw new UpstreamFailure('upstream_unavailable', true, { cause: describe(err) });
      } finally {
        clearTimeout(firstByte);
      }
      if (!response.ok) {
        signal.removeEventListener('abort', onParentAbort);
        const text = await response.text().catch(() => '');
        throw mapUpstreamError(
          response.status,
          businessCode(text.slice(0, MAX_ERROR_BODY_CHARS)),
          parseRetryAfter(response.headers.get('retry-after')),
        );
      }
      return { response, abort: (reason) => attempt.abort(reason) };
    },
  };
}

function businessCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return code === undefined || code === null ? undefined : String(code);
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err instanceof Error ? err.message : 'fetch failed');
}
