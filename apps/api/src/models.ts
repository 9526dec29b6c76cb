import type { ModelInfo } from '@zai-chat/contract';

/**
 * The models this deployment offers (`GET /api/config`, `GET /v1/models`). Z.AI has no public
 * model listing to ask, so the catalogue is configuration: GLM's current line-up by default,
 * or `ZAI_MODELS`. The API still forwards any model name a client sends (the list grows).
 */
export const DEFAULT_MODELS: ModelInfo[] = [
  { id: 'glm-4.6', name: 'GLM-4.6', vision: false, reasoning: true, tools: true },
  { id: 'glm-4.5', name: 'GLM-4.5', vision: false, reasoning: true, tools: true },
  { id: 'glm-4.5-air', name: 'GLM-4.5-Air', vision: false, reasoning: true, tools: true },
  { id: 'glm-4.5-flash', name: 'GLM-4.5-Flash', vision: false, reasoning: true, tools: true },
  { id: 'glm-4.5v', name: 'GLM-4.5V', vision: true, reasoning: true, tools: false },
];

const CAPABILITIES = ['vision', 'reasoning', 'tools'] as const;

/**
 * `id[:capability…]` separated by commas, e.g. `glm-4.6:reasoning:tools,glm-4.5v:vision`.
 * Throws an Error naming the bad entry.
 */
export function parseModels(raw: string): ModelInfo[] {
  const models = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, ...caps] = entry.split(':').map((p) => p.trim());
      if (!id || !/^[\w.-]{1,128}$/.test(id)) throw new Error(`"${entry}" is not a model id`);
      const unknown = caps.find((c) => !(CAPABILITIES as readonly string[]).includes(c));
      if (unknown !== undefined) {
        throw new Error(`"${unknown}" is not one of ${CAPABILITIES.join(', ')} (in "${entry}")`);
      }
      return {
        id,
        vision: caps.includes('vision'),
        reasoning: caps.includes('reasoning'),
        tools: caps.includes('tools'),
      };
    });
  if (models.length === 0) throw new Error('lists no model');
  return models;
}
