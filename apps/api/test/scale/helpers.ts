import { HEADERS, type SseFrame, readSseFrames } from '@zai-chat/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../stack';

/** Resolve once `condition` holds (usable in hooks, where expect.poll is not). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Resolve once every stack's Redis link is up (they connect in the background). */
export function waitForRedis(...stacks: Stack[]): Promise<void> {
  return waitFor(() => stacks.every((s) => s.redis?.up), 'redis links up');
}

export interface OpenedStream {
  res: Response;
  streamId: string;
  frames: SseFrame[];
  /** Read frames until `count` numbered frames arrived (or the stream ended). */
  readUntil(count: number): Promise<SseFrame[]>;
  /** Read to the end. */
  rest(): Promise<SseFrame[]>;
  /** Drop the connection (a reload, a lost network). */
  drop(): void;
}

/** A chat stream read frame by frame, which the test can drop at any point. */
export async function openChat(
  baseUrl: string,
  content: string,
  options: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
): Promise<OpenedStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: JSON.stringify({ messages: [{ role: 'user', content }], ...options.body }),
    signal: controller.signal,
  });
  return reading(res, controller);
}

/** GET /api/chat/streams/:id, read the same way. */
export async function openResume(
  baseUrl: string,
  streamId: string,
  lastEventId?: number,
  headers: Record<string, string> = {},
): Promise<OpenedStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/chat/streams/${streamId}`, {
    headers: {
      ...(lastEventId !== undefined ? { 'Last-Event-ID': String(lastEventId) } : {}),
      ...headers,
    },
    signal: controller.signal,
  });
  return reading(res, controller);
}

function reading(res: Response, controller: AbortController): OpenedStream {
  const frames: SseFrame[] = [];
  const iterator = res.ok && res.body ? readSseFrames(res.body)[Symbol.asyncIterator]() : undefined;
  let ended = !iterator;
  const next = async (): Promise<boolean> => {
    if (ended) return false;
    try {
      const step = await iterator!.next();
      if (step.done) {
        ended = true;
        return false;
      }
      frames.push(step.value);
      return true;
    } catch {
      ended = true;
      return false;
    }
  };
  return {
    res,
    streamId: res.headers.get(HEADERS.streamId) ?? '',
    frames,
    async readUntil(count) {
      while (frames.filter((f) => f.id).length < count && (await next()));
      return frames;
    },
    async rest() {
      while (await next());
      return frames;
    },
    drop() {
      ended = true;
      controller.abort();
    },
  };
}

/** The numbered frames' ids, as numbers. */
export const idsOf = (frames: SseFrame[]): number[] =>
  frames.filter((f) => f.id).map((f) => Number(f.id));

/** 1, 2, …, n. */
export const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/**
 * What a reader sees of an answer, without what differs per request (the chunk's `id`,
 * `created` and `request_id`): its data frames, in order.
 */
export function contentOf(frames: SseFrame[]): string[] {
  return frames
    .filter((f) => f.event === undefined)
    .map((f) => {
      if (f.data === '[DONE]') return f.data;
      const {
        id: _id,
        created: _created,
        request_id: _rid,
        ...rest
      } = JSON.parse(f.data) as {
        id?: unknown;
        created?: unknown;
        request_id?: unknown;
      };
      return JSON.stringify(rest);
    });
}

/** The last frame, which must be `[DONE]` or an event (error, stopped). */
export const lastOf = (frames: SseFrame[]): SseFrame | undefined => frames[frames.length - 1];
