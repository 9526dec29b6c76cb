import type { ToolCallDelta } from '@zai-chat/contract';

/** A tool call the model asked for, assembled from its streamed fragments. */
export interface ToolCall {
  index: number;
  id?: string;
  type?: string;
  name: string;
  /** The arguments as received so far: JSON once complete, a prefix of it while streaming. */
  arguments: string;
}

/**
 * Merge streamed tool-call deltas into calls. Each delta names its call by `index` (Z.AI's and
 * OpenAI's convention): the first fragment of a call carries its id, type and name, the later
 * ones append to `arguments`. A delta without an index continues the last call, unless it
 * carries a new id (servers that stream a single call sometimes leave the index out).
 * Returns a new array sorted by index; calls no delta touched keep their identity.
 */
export function mergeToolCalls(
  calls: readonly ToolCall[],
  deltas: readonly ToolCallDelta[],
): ToolCall[] {
  const byIndex = new Map(calls.map((c) => [c.index, c]));
  let last = calls.at(-1);
  for (const delta of deltas) {
    const index = pickIndex(delta, last, byIndex);
    const current = byIndex.get(index) ?? { index, name: '', arguments: '' };
    const fn = delta.function;
    const next: ToolCall = {
      ...current,
      // A name arrives whole in the first fragment; some servers repeat it on every one.
      name: current.name || (fn?.name ?? ''),
      arguments: current.arguments + (fn?.arguments ?? ''),
    };
    if (!next.id && delta.id) next.id = delta.id;
    if (!next.type && delta.type) next.type = delta.type;
    byIndex.set(index, next);
    last = next;
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

function pickIndex(
  delta: ToolCallDelta,
  last: ToolCall | undefined,
  byIndex: Map<number, ToolCall>,
): number {
  if (typeof delta.index === 'number' && Number.isInteger(delta.index) && delta.index >= 0)
    return delta.index;
  if (!last) return 0;
  if (delta.id && last.id && delta.id !== last.id) return Math.max(...byIndex.keys()) + 1;
  return last.index;
}

/** Arguments for reading: pretty JSON when they parse, else the text as it came. */
export function formatArguments(text: string): { text: string; json: boolean } {
  if (!text.trim()) return { text: '', json: false };
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}
