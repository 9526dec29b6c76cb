import type { ServerResponse } from 'node:http';
import { Stream } from 'node:stream';

/**
 * A streamed response body for ts-rest. ts-rest's Express adapter pipes any `Stream` it is
 * handed as a body (`body.pipe(res)`) instead of serialising it; this one writes itself:
 * `pipe` starts the relay, which writes SSE frames straight into the response with its own
 * backpressure and keep-alives. A PassThrough would put a second stream between the upstream
 * and the socket on every chunk for nothing (the relay is the hot path; see README §
 * Performance), so the route stays on the contract without paying for an extra hop.
 */
export class SseBody extends Stream {
  /** `run` writes the response: at once (a replay, a resumed reader) or as the answer arrives. */
  constructor(private readonly run: (res: ServerResponse) => Promise<void> | void) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    // Fire and forget: `run` owns every error of the stream (it ends the response with an
    // error frame), so nothing is left for the caller to catch.
    void this.run(destination as unknown as ServerResponse);
    return destination;
  }
}
