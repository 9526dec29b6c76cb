import { ERRORS } from '@zai-chat/contract';
import { KeyRound } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { KeyRequestReason } from '../lib/accessKey';

interface Props {
  reason: KeyRequestReason;
  onSubmit: (key: string) => void;
  onCancel: () => void;
}

/**
 * Asks for the access key the API wants (`ACCESS_MODE=keys`): when it answered the contract's
 * 401 `unauthorized`, or when `/api/config` says keys are on and none is saved. Modal; Esc or
 * Cancel closes it. Lazy: open deployments never load it.
 */
export default function AccessKeyDialog({ reason, onSubmit, onCancel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="dialog dialog--narrow"
      aria-labelledby="access-key-title"
      aria-describedby="access-key-why"
      data-testid="access-key-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        className="dialog__body"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value);
        }}
      >
        <div className="dialog__head dialog__head--plain">
          <h2 id="access-key-title">
            <KeyRound aria-hidden="true" size={18} /> Access key
          </h2>
        </div>
        {reason === 'rejected' && (
          <p className="dialog__error" role="alert">
            That key was not accepted. Check it and enter it again.
          </p>
        )}
        <p className="dialog__text" id="access-key-why">
          {ERRORS.unauthorized.message} It is kept in this browser and sent only to this chat
          service.
        </p>
        <div className="field">
          <label htmlFor="access-key-input">Access key</label>
          <input
            id="access-key-input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="zc_…"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoFocus
          />
        </div>
        <div className="dialog__actions">
          <button type="button" className="btn btn--quiet" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={!value.trim()}>
            Save key
          </button>
        </div>
      </form>
    </dialog>
  );
}
