/**
 * Messages between replicas about streams, over Redis pub/sub. Every process listens on one
 * channel of its own (its node's inbox), so a resume costs no SUBSCRIBE: a reader's replica
 * asks the producer's inbox, and the producer answers into the reader replica's inbox with
 * the reader's key `r`. One connection publishes in order and Redis delivers in order, so the
 * frames of one reader arrive in order and exactly once.
 */
export type BusMessage =
  /** reader replica → producer: send `r` the frames after `after`, then the live ones. */
  | { t: 'attach'; s: string; r: string; from: string; owner: string; after: number }
  /** reader replica → producer: reader `r` left. */
  | { t: 'detach'; s: string; r: string }
  /** any replica → producer: stop answer `s` now; answer `stopped` to `from`. */
  | { t: 'stop'; s: string; r: string; from: string; owner: string }
  /**
   * producer → reader replica: the frames of `r` after id `p` up to id `q`; the first one
   * accepts the attach (its `x` is the replay, maybe empty); `end` after the last frame. A
   * `p` that is not the reader's last id means a message was lost: the reader reconnects.
   */
  | { t: 'frames'; r: string; x: string; p: number; q: number; end?: true }
  /** producer → reader replica, once per heartbeat: still here, last frame sent is `q`. */
  | { t: 'tick'; r: string; q: number }
  /** producer → reader replica: no such live answer here (ended, or never ours). */
  | { t: 'gone'; r: string }
  | { t: 'stopped'; r: string; ok: boolean };

export const encodeMessage = (message: BusMessage): string => JSON.stringify(message);

/** Messages come from our own replicas; anything unreadable is dropped, never thrown. */
export function decodeMessage(text: string): BusMessage | undefined {
  try {
    const message = JSON.parse(text) as BusMessage;
    return typeof message === 'object' && message !== null && typeof message.t === 'string'
      ? message
      : undefined;
  } catch {
    return undefined;
  }
}
