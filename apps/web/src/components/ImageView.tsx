import { ImageOff } from 'lucide-react';
import type { Attachment } from '../chat/types';
import { useImage } from '../storage/useImage';

/** A sent image, from the image store; a placeholder while it loads or if it is gone. */
export function ImageView({
  attachment,
  className,
}: {
  attachment: Attachment;
  className: string;
}) {
  const { url, missing } = useImage(attachment.id);
  if (url)
    return (
      <img
        className={className}
        src={url}
        alt={attachment.name}
        width={attachment.width || undefined}
        height={attachment.height || undefined}
        data-testid="message-image"
      />
    );
  return (
    <span className={`${className} image-missing`} role="img" aria-label={attachment.name}>
      {missing && <ImageOff aria-hidden="true" size={18} />}
      {missing && <span className="image-missing__text">Image not available</span>}
    </span>
  );
}
