import type { ApiConfig } from '@zai-chat/contract';
import { useEffect, useRef, useState } from 'react';
import { sanitizeSettings } from '../chat/settings';
import type { ChatSettings } from '../chat/types';

interface Props {
  open: boolean;
  settings: ChatSettings;
  apiConfig: ApiConfig | undefined;
  onChange(settings: ChatSettings): void;
  onClose(): void;
}

/** Settings of the open chat; the last saved values also become the defaults for new chats. */
export function SettingsDialog({ open, settings, apiConfig, onChange, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState(settings);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      setDraft(settings);
      el.showModal();
    } else if (!open && el.open) el.close();
  }, [open, settings]);

  const set = <K extends keyof ChatSettings>(key: K, value: ChatSettings[K]) => {
    const next = sanitizeSettings({ ...draft, [key]: value });
    setDraft({ ...next, [key]: value });
    onChange(next);
  };
  const offered = apiConfig?.models.map((m) => m.id) ?? [];
  const models = [
    '',
    ...offered,
    ...(draft.model && !offered.includes(draft.model) ? [draft.model] : []),
  ];

  return (
    <dialog
      ref={dialog}
      className="settings"
      aria-labelledby="settings-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <form method="dialog" onSubmit={onClose}>
        <h2 id="settings-title">Chat settings</h2>
        <div className="field">
          <label htmlFor="settings-model">Model</label>
          <select
            id="settings-model"
            value={draft.model}
            onChange={(e) => set('model', e.target.value)}
          >
            {models.map((m) => (
              <option key={m} value={m}>
                {m || `Default${apiConfig ? ` (${apiConfig.defaultModel})` : ''}`}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="settings-system">System prompt</label>
          <textarea
            id="settings-system"
            rows={3}
            value={draft.systemPrompt}
            onChange={(e) => set('systemPrompt', e.target.value)}
          />
        </div>
        <div className="settings__row">
          <div className="field">
            <label htmlFor="settings-temperature">Temperature</label>
            <input
              id="settings-temperature"
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={draft.temperature}
              onChange={(e) => set('temperature', e.target.valueAsNumber)}
            />
          </div>
          <div className="field">
            <label htmlFor="settings-top-p">Top P</label>
            <input
              id="settings-top-p"
              type="number"
              min={0.01}
              max={1}
              step={0.01}
              value={draft.top_p}
              onChange={(e) => set('top_p', e.target.valueAsNumber)}
            />
          </div>
          <div className="field">
            <label htmlFor="settings-max-tokens">Max tokens</label>
            <input
              id="settings-max-tokens"
              type="number"
              min={1}
              step={1}
              value={draft.max_tokens}
              onChange={(e) => set('max_tokens', e.target.valueAsNumber)}
            />
          </div>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.thinking}
            onChange={(e) => set('thinking', e.target.checked)}
            aria-describedby="thinking-hint"
          />
          Thinking
        </label>
        <p className="muted small" id="thinking-hint">
          With thinking on, GLM reasons first; its reasoning shows in a folded “Thinking” section.
        </p>
        <p className="muted">Applies to this chat; new chats start with these values.</p>
        <button type="submit" className="primary">
          Close
        </button>
      </form>
    </dialog>
  );
}
