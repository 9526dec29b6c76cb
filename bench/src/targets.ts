import { type StreamOptions, type StreamSample, pool, streamOnce } from './measure';
import { SIM_KEY, type Service } from './processes';

/**
 * What a figure is measured through: zai-chat's API, the bare pipe (the floor a Node relay is
 * held to) and the simulator itself (no relay at all). All three answer the same body with the
 * same simulated stream, so every difference between them is the relay's.
 */
export type TargetName = 'api' | 'pipe' | 'direct';
export const TARGETS: readonly TargetName[] = ['api', 'pipe', 'direct'];
export type RelayName = Exclude<TargetName, 'direct'>;
export const RELAYS: readonly RelayName[] = ['api', 'pipe'];
/** The CPU figures also measure `express`: the pipe behind Express and express.json(). */
export type CpuRelayName = RelayName | 'express';

export interface Target {
  name: TargetName | 'express';
  url: string;
  headers: Record<string, string>;
  /** The process whose CPU and memory the figure reads. */
  pid: number;
  send(body: string, options?: StreamOptions): Promise<StreamSample>;
}

function target(name: Target['name'], url: string, headers: Record<string, string>, pid: number) {
  const parsed = new URL(url);
  return {
    name,
    url,
    headers,
    pid,
    send: (body: string, options: StreamOptions = {}) =>
      streamOnce(parsed, body, { ...options, headers: { ...headers, ...options.headers } }),
  } satisfies Target;
}

/** The Express floor (express-floor.mjs), forwarding to the simulator like the pipe. */
export const expressTarget = (floor: Service) =>
  target('express', `${floor.url}/chat/completions`, {}, floor.pid);

/** zai-chat's own chat route, the one the web app streams from. */
export const apiTarget = (api: Service) => target('api', `${api.url}/api/chat`, {}, api.pid);

export function targets(sim: Service, api: Service, pipe: Service): Record<TargetName, Target> {
  return {
    api: apiTarget(api),
    pipe: target('pipe', `${pipe.url}/chat/completions`, {}, pipe.pid),
    direct: target(
      'direct',
      `${sim.url}/chat/completions`,
      { authorization: `Bearer ${SIM_KEY}` },
      sim.pid,
    ),
  };
}

/** A chat request whose last user message carries a simulator directive. */
export const chatBody = (directive: string) =>
  JSON.stringify({
    model: 'glm-4.6',
    stream: true,
    messages: [{ role: 'user', content: `${directive} benchmark prompt` }],
  });

/** One chunk per network read, ~2 ms apart: how a model paces its tokens. */
export const paced = (chunks: number) => chatBody(`[sim:normal chunks=${chunks} delay=2]`);
/** The whole answer at once: many frames per network read. */
export const batched = (chunks: number) => chatBody(`[sim:normal chunks=${chunks} delay=0]`);

/**
 * Run `run` for every target in every round, rotating which target goes first, so drift in the
 * machine's load (other engineers share these cores) hits all targets alike.
 */
export async function interleave<N extends string, T>(
  rounds: number,
  names: readonly N[],
  run: (name: N, round: number) => Promise<T>,
): Promise<Record<N, T[]>> {
  const out = {} as Record<N, T[]>;
  for (const name of names) out[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!;
      out[name].push(await run(name, r));
    }
  }
  return out;
}

/**
 * Before anything is measured: a fresh API needs ~3,000 requests before its CPU per request
 * settles (V8 tiers code up gradually; 2,400 µs over the first thousand, 1,250 from the third).
 */
export async function warm(target: Target, requests: number) {
  await pool(requests, 10, () => target.send(paced(2)));
  await pool(Math.ceil(requests / 10), 10, () => target.send(batched(20)));
  await pool(Math.ceil(requests / 50), 10, () => target.send(paced(20)));
}
