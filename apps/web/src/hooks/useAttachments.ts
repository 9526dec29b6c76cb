import { useCallback, useMemo, useState } from 'react';
import type { NewImage } from '../chat/controller';
import { newId } from '../lib/id';
import { imageTooLargeText, tooManyImagesText } from '../images/limits';
import type { PreparedImage } from '../images/prepare';

export interface PendingImage {
  key: string;
  name: string;
  status: 'preparing' | 'ready' | 'failed';
  image?: PreparedImage;
  /** Why it cannot be sent: unreadable, or over the API's size limit (in the API's words). */
  error?: string;
}

export interface ImageLimits {
  maxImageBytes?: number;
  maxImagesPerRequest?: number;
}

// The resizer is its own chunk: only people who attach an image load it.
const prepareLazily = (file: File): Promise<PreparedImage> =>
  import('../images/prepare').then(({ prepareImage }) => prepareImage(file));

/**
 * Images waiting in the composer: each is prepared (decoded, downscaled) as it is added, then
 * checked against the API's limits, so a refusal shows beside the thumbnail before anything is
 * sent, in the same words the API would use.
 */
export function useAttachments(
  limits: ImageLimits | undefined,
  prepare: (file: File) => Promise<PreparedImage> = prepareLazily,
) {
  const [items, setItems] = useState<PendingImage[]>([]);

  const add = useCallback(
    (files: Iterable<File>) => {
      const added = [...files].map((file) => ({ file, key: newId() }));
      if (!added.length) return;
      setItems((list) => [
        ...list,
        ...added.map(({ file, key }) => ({
          key,
          name: file.name || 'image',
          status: 'preparing' as const,
        })),
      ]);
      for (const { file, key } of added) {
        void prepare(file)
          .then(
            (image): Partial<PendingImage> => ({ status: 'ready', image }),
            (err: unknown): Partial<PendingImage> => ({
              status: 'failed',
              error:
                err instanceof Error && err.name === 'ImageError'
                  ? err.message
                  : `${file.name} could not be read as an image.`,
            }),
          )
          .then((patch) =>
            setItems((list) =>
              list.map((item) => (item.key === key ? { ...item, ...patch } : item)),
            ),
          );
      }
    },
    [prepare],
  );

  const remove = useCallback(
    (key: string) => setItems((list) => list.filter((item) => item.key !== key)),
    [],
  );
  const clear = useCallback(() => setItems([]), []);

  const view = useMemo(() => {
    const maxBytes = limits?.maxImageBytes;
    const maxCount = limits?.maxImagesPerRequest;
    const checked = items.map((item) =>
      item.image && maxBytes !== undefined && item.image.bytes > maxBytes
        ? { ...item, error: imageTooLargeText(item.image.bytes, maxBytes) }
        : item,
    );
    const countError =
      maxCount !== undefined && checked.length > maxCount
        ? tooManyImagesText(maxCount, checked.length)
        : undefined;
    const ready = checked.every((i) => i.status === 'ready' && !i.error) && !countError;
    return { items: checked, countError, ready };
  }, [items, limits?.maxImageBytes, limits?.maxImagesPerRequest]);

  /** The images to send with the message (only when every one is ready and within limits). */
  const images = useCallback(
    (): NewImage[] =>
      view.items.flatMap((i) => {
        if (!i.image) return [];
        const { dataUrl, name, mime, width, height, bytes } = i.image;
        return [{ dataUrl, name, mime, width, height, bytes }];
      }),
    [view.items],
  );

  return { ...view, add, remove, clear, images };
}

export type Attachments = ReturnType<typeof useAttachments>;
