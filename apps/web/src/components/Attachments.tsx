import { CircleAlert, ImagePlus, LoaderCircle, X } from 'lucide-react';
import { useRef } from 'react';
import type { PendingImage } from '../hooks/useAttachments';
import { formatBytes } from '../images/limits';
import { IconButton } from './IconButton';

/** Opens the file picker for images (shown only when the chosen model reads images). */
export function AttachButton({
  onFiles,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <IconButton
        icon={ImagePlus}
        label="Attach images"
        disabled={disabled}
        onClick={() => input.current?.click()}
      />
      <input
        ref={input}
        type="file"
        accept="image/*"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}

interface ListProps {
  items: readonly PendingImage[];
  countError: string | undefined;
  /** Why none can be sent with this model, if so. */
  modelNote: string | undefined;
  onRemove: (key: string) => void;
}

/** Thumbnails waiting to be sent, each removable, each with its problem beside it. */
export function AttachmentList({ items, countError, modelNote, onRemove }: ListProps) {
  return (
    <div className="composer__attachment-area">
      <ul className="attachments" aria-label="Images to send">
        {items.map((item) => {
          const errorId = `attachment-error-${item.key}`;
          return (
            <li
              key={item.key}
              className={`attachment${item.error ? ' attachment--error' : ''}`}
              data-testid="pending-attachment"
              data-status={item.status}
              aria-describedby={item.error ? errorId : undefined}
            >
              {item.image ? (
                <img className="attachment__thumb" src={item.image.dataUrl} alt={item.name} />
              ) : (
                <span className="attachment__thumb attachment__thumb--empty" aria-hidden="true">
                  {item.status === 'preparing' ? (
                    <LoaderCircle className="spin" size={18} />
                  ) : (
                    <CircleAlert size={18} />
                  )}
                </span>
              )}
              <span className="attachment__text">
                <span className="attachment__name">{item.name}</span>
                {item.error ? (
                  <span className="attachment__error" id={errorId} role="alert">
                    {item.error}
                  </span>
                ) : (
                  <span className="attachment__meta">
                    {item.image
                      ? `${item.image.width}×${item.image.height} · ${formatBytes(item.image.bytes)}`
                      : 'Preparing…'}
                  </span>
                )}
              </span>
              <IconButton
                icon={X}
                label={`Remove ${item.name}`}
                onClick={() => onRemove(item.key)}
              />
            </li>
          );
        })}
      </ul>
      {(countError || modelNote) && (
        <p className="attachments__note" role="alert" data-testid="attachments-note">
          {countError ?? modelNote}
        </p>
      )}
    </div>
  );
}
