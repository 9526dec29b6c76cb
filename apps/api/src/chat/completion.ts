import { UpstreamFailure, businessCodeOf, mapUpstreamError } from '../upstream/errors';

/**
 * Read a non-streamed answer leniently: any JSON object with a `choices` array is relayed as
 * Z.AI sent it (nulls and unknown fields included); an in-band `{"error":…}` is mapped like
 * an HTTP error; anything else is a protocol error.
 */
export function parseCompletion(text: string): object {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamFailure('upstream_protocol', false, { cause: 'body is not JSON' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UpstreamFailure('upstream_protocol', false, { cause: 'body is not an object' });
  }
  const { choices, error } = json as { choices?: unknown; error?: { code?: unknown } };
  if (Array.isArray(choices)) return json;
  if (error && typeof error === 'object') {
    throw mapUpstreamError(200, businessCodeOf(error.code));
  }
  throw new UpstreamFailure('upstream_protocol', false, { cause: 'body has no choices' });
}
