import { RANGES } from '@zai-chat/contract';
import type { ChatSettings } from './types';

const DEFAULTS_KEY = 'zai-chat:default-settings';

export const FACTORY_SETTINGS: ChatSettings = {
  // Empty: the API's default model (GET /api/config names it).
  model: '',
  systemPrompt: '',
  temperature: 0.6,
  top_p: 0.95,
  max_tokens: 4096,
  thinking: false,
};

/** Defaults for new chats survive reloads; a corrupt or partial entry falls back field by field. */
export function loadDefaultSettings(
  storage: Pick<Storage, 'getItem'> = localStorage,
): ChatSettings {
  try {
    const saved = JSON.parse(storage.getItem(DEFAULTS_KEY) ?? '{}') as Partial<ChatSettings>;
    return sanitizeSettings({ ...FACTORY_SETTINGS, ...saved });
  } catch {
    return { ...FACTORY_SETTINGS };
  }
}

export function saveDefaultSettings(
  settings: ChatSettings,
  storage: Pick<Storage, 'setItem'> = localStorage,
): void {
  storage.setItem(DEFAULTS_KEY, JSON.stringify(settings));
}

const clamp = (value: unknown, min: number, max: number, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, value))
    : fallback;

/**
 * No API limit is known before `GET /api/config` answers; stored values are only kept sane
 * until then, and `maxTokensCeiling` (the API's) clamps them once it is known.
 */
const MAX_TOKENS_SANE = 1_000_000;

/**
 * Keep settings inside the ranges the contract accepts (and the API's `max_tokens` ceiling
 * when known), so a bad or outdated value never costs a request.
 */
export function sanitizeSettings(
  s: Partial<ChatSettings>,
  maxTokensCeiling = MAX_TOKENS_SANE,
): ChatSettings {
  const { temperature, top_p } = RANGES;
  return {
    model: typeof s.model === 'string' ? s.model.trim() : FACTORY_SETTINGS.model,
    systemPrompt: typeof s.systemPrompt === 'string' ? s.systemPrompt : '',
    temperature: clamp(
      s.temperature,
      temperature.min,
      temperature.max,
      FACTORY_SETTINGS.temperature,
    ),
    top_p: clamp(s.top_p, top_p.min, top_p.max, FACTORY_SETTINGS.top_p),
    max_tokens: Math.round(
      clamp(
        s.max_tokens,
        1,
        maxTokensCeiling,
        Math.min(FACTORY_SETTINGS.max_tokens, maxTokensCeiling),
      ),
    ),
    thinking: s.thinking === true,
  };
}
