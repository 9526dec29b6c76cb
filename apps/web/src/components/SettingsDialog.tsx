import { type ApiConfig, type ModelInfo, RANGES } from '@zai-chat/contract';
import { X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { sanitizeSettings } from '../chat/settings';
import type { ChatSettings } from '../chat/types';
import { IconButton } from './IconButton';
import { NumberField } from './NumberField';

interface Props {
  open: boolean;
  settings: ChatSettings;
  apiConfig: ApiConfig | undefined;
  /** The chat's model as the API describes it (undefined: not known yet). */
  model: ModelInfo | undefined;
  /** An access key is saved in this browser. */
  keySaved: boolean;
  onForgetKey: () => void;
  onEnterKey: () => void;
  onChange: (settings: ChatSettings) => void;
  onClose: () => void;
}

/**
 * Settings of the open chat; the last saved values also become the defaults for new chats.
 * Ranges come from the contract and the ceiling from the API, so nothing set here can make
 * the API refuse a request.
 */
export function SettingsDialog({
  open,
  settings,
  apiConfig,
  model,
  keySaved,
  onForgetKey,
  onEnterKey,
  onChange,
  onClose,
}: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState(settings);
  const ceiling = apiConfig?.limits.maxTokensCeiling;
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      setDraft(sanitizeSettings(settings, ceiling));
      el.showModal();
    } else if (!open && el.open) el.close();
  }, [open, settings, ceiling]);

  // The field shows what was typed; the chat gets the value clamped into range.
  const set = <K extends keyof ChatSettings>(key: K, value: ChatSettings[K]) => {
    const next = sanitizeSettings({ ...draft, [key]: value }, ceiling);
    setDraft({ ...next, [key]: value });
    onChange(next);
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="settings-title"
      onClose={onClose}
      onCancel={onClose}
    >
      {/* No native validation: values are clamped instead, and a field left out of range shows
          the value that applies once focus leaves it. */}
      <form
        method="dialog"
        className="dialog__body"
        noValidate
        onSubmit={onClose}
        onBlur={() => setDraft((d) => sanitizeSettings(d, ceiling))}
      >
        <div className="dialog__head">
          <h2 id="settings-title">Chat settings</h2>
          <IconButton icon={X} label="Close settings" onClick={onClose} />
        </div>
        <div className="field">
          <label htmlFor="settings-system">System prompt</label>
          <textarea
            id="settings-system"
            rows={3}
            value={draft.systemPrompt}
            placeholder="For example: answer briefly, in British English."
            onChange={(e) => set('systemPrompt', e.target.value)}
          />
        </div>
        <div className="dialog__row">
          <NumberField
            id="settings-temperature"
            label="Temperature"
            {...RANGES.temperature}
            step={0.05}
            value={draft.temperature}
            onChange={(v) => set('temperature', v)}
          />
          <NumberField
            id="settings-top-p"
            label="Top P"
            {...RANGES.top_p}
            step={0.01}
            value={draft.top_p}
            onChange={(v) => set('top_p', v)}
          />
          <NumberField
            id="settings-max-tokens"
            label="Max tokens"
            min={1}
            max={ceiling}
            step={1}
            value={draft.max_tokens}
            onChange={(v) => set('max_tokens', v)}
            hint={ceiling ? `Up to ${ceiling.toLocaleString('en')} on this server.` : undefined}
          />
        </div>
        {model?.reasoning === false ? (
          <p className="field__hint" data-testid="no-thinking">
            {model.name ?? model.id} answers without a thinking phase.
          </p>
        ) : (
          <>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.thinking}
                onChange={(e) => set('thinking', e.target.checked)}
                aria-describedby="thinking-hint"
              />
              Thinking
            </label>
            <p className="field__hint" id="thinking-hint">
              With thinking on, GLM reasons first; its reasoning shows in a folded “Thinking”
              section.
            </p>
          </>
        )}
        <p className="field__hint">Applies to this chat; new chats start with these values.</p>
        {(keySaved || apiConfig?.access.mode === 'keys') && (
          <section className="dialog__section" aria-labelledby="settings-key-title">
            <h3 id="settings-key-title">Access key</h3>
            <p className="field__hint" data-testid="key-status">
              {keySaved
                ? 'An access key is saved in this browser and sent with every message.'
                : 'No access key is saved in this browser.'}
            </p>
            <div>
              {keySaved ? (
                <button type="button" className="btn" onClick={onForgetKey}>
                  Forget key
                </button>
              ) : (
                <button type="button" className="btn" onClick={onEnterKey}>
                  Enter key
                </button>
              )}
            </div>
          </section>
        )}
        <div className="dialog__actions">
          <button type="submit" className="btn btn--primary">
            Done
          </button>
        </div>
      </form>
    </dialog>
  );
}
