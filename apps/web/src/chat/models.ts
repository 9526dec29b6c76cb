import type { ApiConfig, ModelInfo } from '@zai-chat/contract';

/** `model` ('' is the API's default) as the API describes it; undefined if it is not listed. */
export function findModel(config: ApiConfig | undefined, model: string): ModelInfo | undefined {
  const id = model || config?.defaultModel;
  return config?.models.find((m) => m.id === id);
}
