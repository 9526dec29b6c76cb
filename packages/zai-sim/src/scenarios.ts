/**
 * Which behaviour a request gets. Chosen, first match wins, by the `x-zai-sim-scenario` header,
 * a model named `sim-<scenario>`, or a `[sim:<scenario> key=value …]` directive in the last
 * user message (the only one a browser can reach through the API). Directive parameters:
 * `chunks` (content chunks), `delay` (ms per chunk), `ms` (total duration spread over the
 * chunks), `size` (characters of markdown), `wait` (ms before the response headers are sent,
 * to exercise a client's first-byte timeout), `gap` (ms of silence after the headers of a
 * stream, before its first chunk, like a long reasoning pause; exercises keep-alives and idle
 * timeouts). A `-once` suffix fails only the first time a given message is seen, so a
 * client's retry succeeds.
 */
export const SCENARIOS = [
  'normal',
  'reasoning',
  'markdown',
  'slow',
  'stall',
  'auth',
  'rate-limit',
  'balance',
  'server-error',
  'unknown-model',
  'too-long',
  'unsafe',
  'drop',
  'malformed',
  'sensitive',
  'length',
  'network-error',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioParams {
  chunks?: number;
  delay?: number;
  ms?: number;
  size?: number;
  /** Delay before response headers (ms). */
  wait?: number;
  /** Delay between a stream's headers and its first chunk (ms). */
  gap?: number;
}

export interface Scenario {
  name: ScenarioName;
  once: boolean;
  params: ScenarioParams;
}

const DIRECTIVE = /\[sim:([a-z-]+)((?:\s+[a-z]+=\d+)*)\s*\]/;
const PARAM_KEYS = new Set<keyof ScenarioParams>(['chunks', 'delay', 'ms', 'size', 'wait', 'gap']);

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

/** Parse `name`, `name-once`; unknown names fall back to normal so a typo never crashes a demo. */
export function parseScenarioName(raw: string, params: ScenarioParams = {}): Scenario {
  const once = raw.endsWith('-once');
  const base = once ? raw.slice(0, -'-once'.length) : raw;
  return { name: isScenarioName(base) ? base : 'normal', once, params };
}

export function parseDirective(text: string): Scenario | undefined {
  const match = DIRECTIVE.exec(text);
  if (!match?.[1]) return undefined;
  const params: ScenarioParams = {};
  for (const pair of (match[2] ?? '').trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = pair.split('=') as [keyof ScenarioParams, string];
    if (PARAM_KEYS.has(key)) params[key] = Number(value);
  }
  return parseScenarioName(match[1], params);
}

export interface ScenarioInput {
  header: string | undefined;
  model: string | undefined;
  lastUserText: string;
  thinkingEnabled: boolean;
}

export function chooseScenario(input: ScenarioInput): Scenario {
  const fromDirective = parseDirective(input.lastUserText);
  if (input.header) return parseScenarioName(input.header, fromDirective?.params);
  if (input.model?.startsWith('sim-'))
    return parseScenarioName(input.model.slice(4), fromDirective?.params);
  if (fromDirective) return fromDirective;
  return { name: input.thinkingEnabled ? 'reasoning' : 'normal', once: false, params: {} };
}
