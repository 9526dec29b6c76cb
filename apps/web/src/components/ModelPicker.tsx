import type { ApiConfig } from '@zai-chat/contract';
import { ChevronDown } from 'lucide-react';

interface Props {
  value: string;
  config: ApiConfig | undefined;
  onChange: (model: string) => void;
}

/**
 * The models the API offers (`GET /api/config`), by name. An empty value is the API's own
 * default; a model stored in a chat but no longer offered stays selectable.
 */
export function ModelPicker({ value, config, onChange }: Props) {
  const models = config?.models ?? [];
  const nameOf = (id: string) => models.find((m) => m.id === id)?.name ?? id;
  // The default model's one entry stands for "the API's default" and for naming it explicitly.
  const selected = value === config?.defaultModel ? '' : value;
  const others = models.filter((m) => m.id !== config?.defaultModel);
  const offered = others.some((m) => m.id === selected);
  return (
    <div className="model-picker">
      <label htmlFor="model-picker" className="visually-hidden">
        Model
      </label>
      <select id="model-picker" value={selected} onChange={(e) => onChange(e.target.value)}>
        <option value="">{config ? nameOf(config.defaultModel) : 'Default model'}</option>
        {others.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name ?? m.id}
          </option>
        ))}
        {selected && !offered && <option value={selected}>{selected}</option>}
      </select>
      <ChevronDown className="model-picker__chevron" aria-hidden="true" size={16} />
    </div>
  );
}
