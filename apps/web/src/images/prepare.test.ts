import { expect, test } from 'vitest';
import {
  type ImageCodec,
  ImageError,
  KEEP_BYTES,
  MAX_SIDE,
  fitWithin,
  planImage,
  prepareImage,
} from './prepare';

test('longest side fits 2,048 px, aspect kept, never enlarged', () => {
  expect(MAX_SIDE).toBe(2048);
  expect(fitWithin(4000, 3000)).toEqual({ width: 2048, height: 1536 });
  expect(fitWithin(1000, 3000)).toEqual({ width: 683, height: 2048 });
  expect(fitWithin(2048, 100)).toEqual({ width: 2048, height: 100 });
  expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 });
  expect(fitWithin(100_000, 10)).toEqual({ width: 2048, height: 1 });
});

test('small PNG and JPEG go as they are; large, heavy or other types become JPEG', () => {
  const small = { size: 200_000, width: 800, height: 600 };
  expect(planImage({ type: 'image/png', ...small })).toEqual({
    reencode: false,
    width: 800,
    height: 600,
    mime: 'image/png',
  });
  expect(planImage({ type: 'image/jpeg', ...small }).reencode).toBe(false);
  for (const type of ['image/webp', 'image/gif', 'image/bmp', 'image/avif']) {
    expect(planImage({ type, ...small })).toEqual({
      reencode: true,
      width: 800,
      height: 600,
      mime: 'image/jpeg',
    });
  }
  expect(planImage({ type: 'image/png', size: KEEP_BYTES + 1, width: 800, height: 600 })).toEqual({
    reencode: true,
    width: 800,
    height: 600,
    mime: 'image/jpeg',
  });
  expect(planImage({ type: 'image/png', size: 10, width: 5000, height: 2500 })).toEqual({
    reencode: true,
    width: 2048,
    height: 1024,
    mime: 'image/jpeg',
  });
});

/** A codec that records what it was asked to encode; encoded blobs are `encodedSize` bytes. */
function fakeCodec(width: number, height: number, encodedSize = 1000) {
  const encoded: { width: number; height: number; type: string; quality: number }[] = [];
  let closed = 0;
  const codec: ImageCodec = {
    decode: async () => ({ width, height, source: 'bitmap', close: () => void closed++ }),
    encode: async (_s, w, h, type, quality) => {
      encoded.push({ width: w, height: h, type, quality });
      return new Blob([new Uint8Array(encodedSize)], { type });
    },
    toDataUrl: async (blob) => `data:${blob.type};base64,${'A'.repeat(4)}`,
  };
  return { codec, encoded, closed: () => closed };
}

const file = (type: string, size: number, name = 'photo') =>
  new File([new Uint8Array(size)], name, { type });

test('a large photo is scaled to 2,048 px and sent as JPEG, with its new size', async () => {
  const { codec, encoded, closed } = fakeCodec(4032, 3024, 600_000);
  const image = await prepareImage(file('image/png', 9_000_000, 'big.png'), codec);
  expect(encoded).toEqual([{ width: 2048, height: 1536, type: 'image/jpeg', quality: 0.85 }]);
  expect(image).toEqual({
    name: 'big.png',
    mime: 'image/jpeg',
    width: 2048,
    height: 1536,
    bytes: 600_000,
    dataUrl: 'data:image/jpeg;base64,AAAA',
  });
  expect(closed()).toBe(1);
});

test('a small PNG is not re-encoded', async () => {
  const { codec, encoded } = fakeCodec(300, 200);
  const image = await prepareImage(file('image/png', 5_000, 'small.png'), codec);
  expect(encoded).toEqual([]);
  expect(image).toMatchObject({ mime: 'image/png', width: 300, height: 200, bytes: 5_000 });
});

test('a heavy PNG whose JPEG would be larger is sent as it was', async () => {
  const { codec } = fakeCodec(1000, 1000, KEEP_BYTES * 3);
  const image = await prepareImage(file('image/png', KEEP_BYTES * 2), codec);
  expect(image).toMatchObject({ mime: 'image/png', bytes: KEEP_BYTES * 2 });
});

test('what is not an image is refused in words', async () => {
  const { codec } = fakeCodec(1, 1);
  await expect(prepareImage(file('application/pdf', 10, 'doc.pdf'), codec)).rejects.toThrow(
    new ImageError('doc.pdf is not an image.'),
  );
  const broken: ImageCodec = { ...codec, decode: () => Promise.reject(new Error('bad')) };
  await expect(prepareImage(file('image/png', 10, 'x.png'), broken)).rejects.toThrow(
    'x.png could not be read as an image.',
  );
});
