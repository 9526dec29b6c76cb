import type { Readable } from 'node:stream';
import { DONE_SENTINEL, type SseFrame, type Usage, createSseDecoder } from '@zai-chat/contract';
import { type FrameEncoder, type FrameSink, PLAIN_FRAMES } from './streams/answer';
import { UpstreamFailure, businessCodeOf, mapUpstreamError } from './upstream/errors';

/** What has been relayed so far; kept up to date while the stream runs, so a stream that
 * fails still says what reached the client (budgets count it). */
export interface RelayProgress {
  chunks: number;
  finishReason: string | undefined;
  /** The last `usage` the upstream sent (Z.AI: on the final chunk). */
  usage: Usage | undefined;
  /** Characters of content and reasoning relayed: a token estimate when usage never came. */
  textChars: number;
}

export type RelayResult = RelayProgress;

export const newRelayProgress = (): RelayProgress => ({
  chunks: 0,
  finishReason: undefined,
  usage: undefined,
  textChars: 0,
});

export interface RelayOptions {
  idleTimeoutMs: number;
  /** Ends the upstream connection; the relay's read then fails with `reason`. */
  abortUpstream(reason: unknown): void;
  onFirstChunk?(): void;
  progress?: RelayProgress;
  /** How frames are worded: plain, or numbered and kept by an AnswerStream (the default is plain). */
  frames?: FrameEncoder;
}

/**
 * Forward the upstream's SSE frames to the client as the upstream's own bytes (no
 * re-serialising): nulls, unknown fields and shapes the contract did not foresee reach the
 * client untouched. Each frame is checked only for what the relay needs (see `readChunk`).
 * Resolves after `[DONE]`; rejects with an UpstreamFailure for a frame that is not a usable
 * chunk, an in-band error, an idle upstream or a stream that ends without `[DONE]`.
 */
export function relayStream(
  body: Readable,
  writer: FrameSink,
  options: RelayOptions,
): Promise<RelayResult> {
  const progress = options.progress ?? newRelayProgress();
  const encode = options.frames ?? PLAIN_FRAMES;
  const decoder = createSseDecoder();
  let done = false;
  let settled = false;
  let idle: NodeJS.Timeout;

  // Event-driven rather than `for await` (a promise and its microtasks per network read were a
  // measurable share of the cost per paced chunk), but in paused mode: `read()` hands over
  // everything that arrived since the last look at once, so reads that pile up while the
  // relay is busy still leave in one write, as `for await` did (bench: batched chunks).
  let waiting = false;
  return new Promise<RelayResult>((resolve, reject) => {
    const onIdle = () =>
      options.abortUpstream(
        new UpstreamFailure('upstream_timeout', false, { cause: 'idle timeout' }),
      );
    idle = setTimeout(onIdle, options.idleTimeoutMs);

    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      body
        .off('readable', onReadable)
        .off('end', onEnd)
        .off('error', onError)
        .off('close', onClose);
      // The client already has its [DONE]; an upstream that then misbehaves changes nothing.
      if (done || err === undefined) return resolve(progress);
      if (err instanceof UpstreamFailure) return reject(err);
      reject(new UpstreamFailure('upstream_error', false, { cause: describe(err) }));
    };

    const onReadable = () => {
      let bytes: Buffer | null;
      while (!waiting && !settled && (bytes = body.read() as Buffer | null) !== null) {
        idle.refresh();
        // After [DONE] the body is read to its end rather than abandoned: leaving early would
        // destroy the keep-alive connection and cost a new TCP connect on the next request.
        if (done) continue;
        try {
          relayFrames(decoder.feed(bytes));
        } catch (err) {
          // A frame the relay cannot use: stop reading this upstream (its connection goes).
          body.destroy();
          settle(err);
        }
      }
    };

    /** Frames that arrived together leave in one write (far fewer syscalls). */
    const relayFrames = (frames: SseFrame[]) => {
      if (!frames.length) return;
      let out = '';
      let badFrame: UpstreamFailure | undefined;
      for (const frame of frames) {
        if (frame.data === DONE_SENTINEL) {
          done = true;
          break;
        }
        let chunk: RelayedChunk;
        try {
          chunk = readChunk(frame.data);
        } catch (err) {
          // readChunk throws UpstreamFailures; anything else is wrapped as settle() would.
          badFrame =
            err instanceof UpstreamFailure
              ? err
              : new UpstreamFailure('upstream_error', false, { cause: describe(err) });
          break;
        }
        if (progress.chunks++ === 0) options.onFirstChunk?.();
        const choice = chunk.choices?.[0];
        if (choice) {
          if (typeof choice.finish_reason === 'string')
            progress.finishReason = choice.finish_reason;
          progress.textChars += textLength(choice.delta);
        }
        if (isObject(chunk.usage)) progress.usage = chunk.usage;
        out += encode.data(frame.data);
      }
      if (done) {
        writer.end(out + encode.done());
        return;
      }
      // The good frames before a bad one still reach the client, ahead of the error event.
      const pending = out ? writer.write(out) : undefined;
      if (badFrame) throw badFrame;
      if (pending) {
        // A slow reader must not make us buffer: stop reading upstream until the socket drains
        // (unread data then fills the upstream socket, and TCP tells the upstream to wait).
        waiting = true;
        clearTimeout(idle);
        void pending.then(() => {
          waiting = false;
          if (settled) return;
          idle = setTimeout(onIdle, options.idleTimeoutMs);
          onReadable();
        });
      }
    };

    const onEnd = () => {
      if (!done) {
        try {
          relayFrames(decoder.end());
        } catch (err) {
          return settle(err);
        }
      }
      settle(
        done
          ? undefined
          : new UpstreamFailure('upstream_error', false, { cause: 'stream ended without [DONE]' }),
      );
    };
    const onError = (err: unknown) => settle(err);
    // Destroyed without an error event (rare): the stream did not end as it should.
    const onClose = () => settle(new Error('upstream closed'));

    body.on('readable', onReadable).on('end', onEnd).on('error', onError).once('close', onClose);
  });
}

/** The parts of a chunk the relay reads; everything else is the client's business. */
interface RelayedChunk {
  choices?: ({ finish_reason?: unknown; delta?: unknown } | null)[];
  usage?: unknown;
}

function textLength(delta: unknown): number {
  if (!isObject(delta)) return 0;
  const { content, reasoning_content } = delta;
  return (
    (typeof content === 'string' ? content.length : 0) +
    (typeof reasoning_content === 'string' ? reasoning_content.length : 0)
  );
}

/**
 * Lenient reader: a frame is usable when it is a JSON object with a `choices` array, or a
 * usage-only final chunk. Nothing else is checked: Z.AI (or an OpenAI-compatible server)
 * may send nulls and fields no schema foresaw, and the user's answer must not depend on them.
 */
export function readChunk(data: string): RelayedChunk {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw protocolError('frame is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw protocolError('frame is not a JSON object');
  }
  const { choices, usage, error } = json as {
    choices?: unknown;
    usage?: unknown;
    error?: { code?: unknown };
  };
  if (Array.isArray(choices)) return json;
  if (isObject(error)) {
    throw mapUpstreamError(200, businessCodeOf(error.code));
  }
  if (isObject(usage)) return { usage };
  throw protocolError('frame has neither choices nor usage');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const protocolError = (cause: string) => new UpstreamFailure('upstream_protocol', false, { cause });

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err instanceof Error ? err.message : String(err));
}
