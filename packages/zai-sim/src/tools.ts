import { randomBytes } from 'node:crypto';
import type { Piece } from './pieces';

/** A function tool offered by the request. */
export interface FunctionTool {
  name: string;
  /** The tool's JSON-schema `parameters`, as sent (may be anything). */
  parameters: unknown;
}

export interface ToolRequest {
  /** Function tools in request order, the one named by `tool_choice` first. */
  functions: FunctionTool[];
  /** Function tools are offered and `tool_choice` is not `"none"`. */
  wantsTools: boolean;
  /** A `{"type":"web_search"}` tool is present. */
  wantsWebSearch: boolean;
}

/** Used when the request asks for tool calls but offers no function tool. */
export const DEFAULT_TOOL: FunctionTool = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city', 'unit'],
  },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the request's `tools` and `tool_choice` ask for; junk in either is ignored, not fatal. */
export function readTools(body: { tools?: unknown; tool_choice?: unknown }): ToolRequest {
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  const functions: FunctionTool[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) continue;
    const { name, parameters } = tool.function;
    if (typeof name === 'string' && name) functions.push({ name, parameters });
  }
  const forced =
    isRecord(body.tool_choice) && isRecord(body.tool_choice.function)
      ? body.tool_choice.function.name
      : undefined;
  const forcedIndex = functions.findIndex((f) => f.name === forced);
  if (forcedIndex > 0) functions.unshift(...functions.splice(forcedIndex, 1));
  const wantsWebSearch = tools.some((t) => isRecord(t) && t.type === 'web_search');
  const onlyWebSearch = wantsWebSearch && functions.length === 0;
  return {
    functions,
    wantsTools: tools.length > 0 && body.tool_choice !== 'none' && !onlyWebSearch,
    wantsWebSearch,
  };
}

const CITIES = ['Paris', 'Tokyo', 'Lima', 'Oslo'];
const MAX_DEPTH = 6;

/**
 * Deterministic arguments for a JSON schema: every listed property (and any `required` name
 * the schema forgot to list), enums take their first value, `const`/`default` win, numbers
 * respect `minimum`/`maximum`, strings `minLength`/`maxLength`. `call` varies the strings of
 * parallel calls to the same tool.
 */
export function sampleArguments(schema: unknown, call = 0): Record<string, unknown> {
  const value = sample(schema, '', call, 0);
  return isRecord(value) ? value : {};
}

function sample(schema: unknown, name: string, call: number, depth: number): unknown {
  const s = isRecord(schema) ? schema : {};
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('const' in s) return s.const;
  if (s.default !== undefined) return s.default;
  const options = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (options && options.length > 0) return sample(options[0], name, call, depth + 1);
  const types: unknown[] = Array.isArray(s.type) ? s.type : [s.type];
  const declared = types.find((t) => t !== 'null');
  const type =
    typeof declared === 'string'
      ? declared
      : isRecord(s.properties)
        ? 'object'
        : s.items !== undefined
          ? 'array'
          : 'string';
  if (depth > MAX_DEPTH) return type === 'object' ? {} : null;
  switch (type) {
    case 'object': {
      const properties = isRecord(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required)
        ? s.required.filter((r): r is string => typeof r === 'string')
        : [];
      const out: Record<string, unknown> = {};
      for (const key of new Set([...Object.keys(properties), ...required])) {
        out[key] = sample(properties[key], key, call, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = typeof s.minItems === 'number' && s.minItems > 1 ? Math.min(s.minItems, 5) : 1;
      return Array.from({ length: count }, () => sample(s.items, name, call, depth + 1));
    }
    case 'integer':
      return clamp(s, 1, true);
    case 'number':
      return clamp(s, 1.5, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(s, name, call);
  }
}

function clamp(s: Record<string, unknown>, fallback: number, integer: boolean): number {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const min = num(s.minimum) ?? (num(s.exclusiveMinimum) ?? -Infinity) + (integer ? 1 : 0.5);
  const max = num(s.maximum) ?? (num(s.exclusiveMaximum) ?? Infinity) - (integer ? 1 : 0.5);
  let value = Math.min(Math.max(fallback, min), max);
  if (integer) value = Math.ceil(value);
  return Number.isFinite(value) ? value : fallback;
}

function sampleString(s: Record<string, unknown>, name: string, call: number): string {
  const key = name.toLowerCase();
  let text =
    s.format === 'date'
      ? '2025-01-01'
      : s.format === 'date-time'
        ? '2025-01-01T12:00:00Z'
        : s.format === 'email'
          ? 'user@example.com'
          : s.format === 'uri' || s.format === 'url'
            ? 'https://example.com/'
            : /city|location|place|town/.test(key)
              ? (CITIES[call % CITIES.length] as string)
              : `example ${name || 'value'}${call > 0 ? ` ${call + 1}` : ''}`;
  if (typeof s.minLength === 'number' && text.length < s.minLength) {
    text = text.padEnd(Math.min(s.minLength, 1000), 'x');
  }
  if (typeof s.maxLength === 'number' && s.maxLength >= 0) text = text.slice(0, s.maxLength);
  return text;
}

export interface PlannedCall {
  id: string;
  name: string;
  /** The complete JSON arguments string. */
  arguments: string;
}

/** `count` calls (1–8): the request's function tools in turn, or `get_weather`. */
export function planCalls(request: ToolRequest, count = 1): PlannedCall[] {
  const n = Math.min(Math.max(1, Math.floor(count) || 1), 8);
  const tools = request.functions.length > 0 ? request.functions : [DEFAULT_TOOL];
  return Array.from({ length: n }, (_, i) => {
    const tool = tools[i % tools.length] as FunctionTool;
    // Parallel calls to the same tool differ in their strings, as a model's would.
    const repeat = Math.floor(i / tools.length);
    return {
      id: `call_${randomBytes(12).toString('hex')}`,
      name: tool.name,
      arguments: JSON.stringify(sampleArguments(tool.parameters, repeat)),
    };
  });
}

/**
 * Streamed the way OpenAI and Z.AI do: per call a header delta (`id`, `type`, `name`,
 * empty `arguments`; the first also carries `role`), then the arguments in several fragments.
 */
export function toolCallPieces(calls: PlannedCall[]): Piece[] {
  const pieces: Piece[] = [];
  calls.forEach((call, index) => {
    pieces.push({
      delta: {
        ...(index === 0 ? { role: 'assistant' as const } : {}),
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      },
      tokens: 0,
    });
    for (const fragment of fragments(call.arguments, 5)) {
      pieces.push({
        delta: { tool_calls: [{ index, function: { arguments: fragment } }] },
        tokens: 1,
      });
    }
  });
  return pieces;
}

/** Split by code points (never inside a surrogate pair) into about `count` fragments. */
function fragments(text: string, count: number): string[] {
  const chars = Array.from(text);
  const size = Math.max(1, Math.ceil(chars.length / count));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}
