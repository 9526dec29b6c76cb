/**
 * Which behaviour a request gets. Chosen, first match wins, by the `x-zai-sim-scenario` header,
 * a model named `sim-<scenario>`, or a `[sim:<scenario> key=value …]` directive in the last
 * user message (the only one a browser can reach through the API). Directive parameters:
 * `chunks` (content chunks), `delay` (ms per chunk), `ms` (total duration spread over the
 * chunks), `size` (characters of markdown), `wait` (ms before the response headers are sent,
 * to exercise a client's first-byte timeout), `gap` (ms of silence after the headers of a
 * stream, before its first chunk, like a long reasoning pause; exercises keep-alives and idle
 * timeouts), `calls` (parallel tool calls), `results` (web-search results), `hostile`
 * (1: hostile web-search titles and links), `code`, `status`, `retry`, `reset` (the `error`
 * scenario's business code, HTTP status, Retry-After seconds, seconds to a quota reset).
 * A `-once` suffix fails only the first time a given message is seen, so a client's retry
 * succeeds. With nothing asked for, a request with function tools gets `tools`, one with a
 * `web_search` tool gets `web-search`, one with thinking enabled gets `reasoning`.
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
  'tools',
  'web-search',
  'error',
  'split',
  'nulls',
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
  /** Parallel tool calls of the `tools` scenario (default 1). */
  calls?: number;
  /** Results of the `web-search` scenario (default 3). */
  results?: number;
  /** 1: the `web-search` results carry script in titles and `javascript:`/`data:` links. */
  hostile?: number;
  /** Business code of the `error` scenario (default 1214). */
  code?: number;
  /** HTTP status of the `error` scenario (default: the code's, see business-codes.ts). */
  status?: number;
  /** Retry-After seconds sent with an `error` answer. */
  retry?: number;
  /** Seconds until the quota reset named by 1308/1310 (default 3600). */
  reset?: number;
}

export interface Scenario {
  name: ScenarioName;
  once: boolean;
  params: ScenarioParams;
}

const DIRECTIVE = /\[sim:([a-z-]+)((?:\s+[a-z]+=\d+)*)\s*\]/;
const PARAM_KEYS = new Set<keyof ScenarioParams>([
  'chunks',
  'delay',
  'ms',
  'size',
  'wait',
  'gap',
  'calls',
  'results',
  'hostile',
  'code',
  'status',
  'retry',
  'reset',
]);

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
  /** The request offers function tools and `tool_choice` is not `"none"`. */
  wantsTools?: boolean;
  /** The request carries a `{"type":"web_search"}` tool. */
  wantsWebSearch?: boolean;
}

export function chooseScenario(input: ScenarioInput): Scenario {
  const fromDirective = parseDirective(input.lastUserText);
  if (input.header) return parseScenarioName(input.header, fromDirective?.params);
  if (input.model?.startsWith('sim-'))
    return parseScenarioName(input.model.slice(4), fromDirective?.params);
  if (fromDirective) return fromDirective;
  return { name: automaticScenario(input), once: false, params: {} };
}

/** What the request itself implies when no scenario was asked for. */
export function automaticScenario(
  input: Pick<ScenarioInput, 'thinkingEnabled' | 'wantsTools' | 'wantsWebSearch'>,
): ScenarioName {
  if (input.wantsTools) return 'tools';
  if (input.wantsWebSearch) return 'web-search';
  return input.thinkingEnabled ? 'reasoning' : 'normal';
}
