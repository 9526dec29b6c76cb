import { act, renderHook, waitFor } from '@testing-library/react';
import { expect, test } from 'vitest';
import { ImageError, type PreparedImage } from '../images/prepare';
import { useAttachments } from './useAttachments';

// The real downscaler needs a browser's decoder; here each file "prepares" to its own size.
const prepare = async (file: File): Promise<PreparedImage> => {
  if (file.type === 'application/pdf') throw new ImageError(`${file.name} is not an image.`);
  return {
    name: file.name,
    mime: 'image/jpeg',
    width: 10,
    height: 10,
    bytes: file.size,
    dataUrl: `data:image/jpeg;base64,${file.name}`,
  };
};

const file = (name: string, size: number, type = 'image/png') =>
  new File([new Uint8Array(size)], name, { type });

test('images are prepared, checked against the limits in the API’s words, and handed over', async () => {
  const { result } = renderHook(() =>
    useAttachments({ maxImageBytes: 2048, maxImagesPerRequest: 2 }, prepare),
  );
  act(() => result.current.add([file('a.png', 100), file('big.png', 5000)]));
  expect(result.current.items.map((i) => i.status)).toEqual(['preparing', 'preparing']);
  expect(result.current.ready).toBe(false);
  await waitFor(() => expect(result.current.items.every((i) => i.status === 'ready')).toBe(true));
  expect(result.current.items[1]?.error).toBe('This image is 5 KB; images may be at most 2 KB');
  expect(result.current.ready).toBe(false);

  act(() => result.current.remove(result.current.items[1]!.key));
  expect(result.current.ready).toBe(true);
  act(() => result.current.add([file('b.png', 10), file('c.png', 10)]));
  await waitFor(() => expect(result.current.items).toHaveLength(3));
  await waitFor(() => expect(result.current.items.every((i) => i.status === 'ready')).toBe(true));
  expect(result.current.countError).toBe('At most 2 images per request (this one has 3)');
  expect(result.current.ready).toBe(false);

  act(() => result.current.remove(result.current.items[2]!.key));
  expect(result.current.ready).toBe(true);
  expect(result.current.images().map((i) => i.name)).toEqual(['a.png', 'b.png']);
  act(() => result.current.clear());
  expect(result.current.items).toEqual([]);
});

test('a file that is not an image fails with the reason beside it', async () => {
  const { result } = renderHook(() => useAttachments(undefined, prepare));
  act(() => result.current.add([file('doc.pdf', 10, 'application/pdf')]));
  await waitFor(() => expect(result.current.items[0]?.status).toBe('failed'));
  expect(result.current.items[0]?.error).toBe('doc.pdf is not an image.');
  expect(result.current.ready).toBe(false);
  expect(result.current.images()).toEqual([]);
});
