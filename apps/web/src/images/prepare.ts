/**
 * Images are made fit to send in the browser: at most 2,048 px on the longest side (GLM-4.5V
 * reads no finer detail than that, and a phone photo shrinks ~10× on the way), re-encoded as
 * JPEG when they were larger, of a type the model may not read, or heavy. A small PNG or JPEG
 * is sent as it is, losslessly. Loaded lazily: only people who attach an image pay for it.
 */

export const MAX_SIDE = 2048;
/** PNG and JPEG under this size and within MAX_SIDE are sent untouched. */
export const KEEP_BYTES = 1024 * 1024;
export const OUTPUT_TYPE = 'image/jpeg';
export const OUTPUT_QUALITY = 0.85;
const KEEP_TYPES = new Set(['image/png', 'image/jpeg']);

export interface PreparedImage {
  name: string;
  mime: string;
  width: number;
  height: number;
  /** Decoded bytes, the figure the API's `maxImageBytes` counts. */
  bytes: number;
  dataUrl: string;
}

export class ImageError extends Error {
  override name = 'ImageError';
}

/** `width`×`height` scaled to fit `max` on its longest side, never enlarged, at least 1 px. */
export function fitWithin(width: number, height: number, max = MAX_SIDE) {
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export interface ImagePlan {
  reencode: boolean;
  width: number;
  height: number;
  mime: string;
}

/** What to do with an image of this type, size and dimensions. */
export function planImage(image: {
  type: string;
  size: number;
  width: number;
  height: number;
}): ImagePlan {
  const fit = fitWithin(image.width, image.height);
  const resized = fit.width !== image.width || fit.height !== image.height;
  const keep = !resized && KEEP_TYPES.has(image.type) && image.size <= KEEP_BYTES;
  return keep
    ? { reencode: false, width: image.width, height: image.height, mime: image.type }
    : { reencode: true, ...fit, mime: OUTPUT_TYPE };
}

/** The browser pieces prepareImage needs; tests pass fakes. */
export interface ImageCodec {
  decode(file: Blob): Promise<{ width: number; height: number; source: unknown; close(): void }>;
  encode(
    source: unknown,
    width: number,
    height: number,
    type: string,
    quality: number,
  ): Promise<Blob>;
  toDataUrl(blob: Blob): Promise<string>;
}

export async function prepareImage(
  file: File,
  codec: ImageCodec = browserCodec,
): Promise<PreparedImage> {
  if (!file.type.startsWith('image/')) throw new ImageError(`${file.name} is not an image.`);
  let decoded: Awaited<ReturnType<ImageCodec['decode']>>;
  try {
    decoded = await codec.decode(file);
  } catch {
    throw new ImageError(`${file.name} could not be read as an image.`);
  }
  try {
    const plan = planImage({ type: file.type, size: file.size, ...decoded });
    let blob: Blob = file;
    if (plan.reencode) {
      const encoded = await codec.encode(
        decoded.source,
        plan.width,
        plan.height,
        plan.mime,
        OUTPUT_QUALITY,
      );
      // A re-encode that grew an image which could have gone as it was: send the original.
      const original = planImage({ type: file.type, size: 0, ...decoded });
      blob = !original.reencode && encoded.size >= file.size ? file : encoded;
    }
    const kept = blob === file;
    return {
      name: file.name || 'image',
      mime: kept ? file.type : plan.mime,
      width: kept ? decoded.width : plan.width,
      height: kept ? decoded.height : plan.height,
      bytes: blob.size,
      dataUrl: await codec.toDataUrl(blob),
    };
  } finally {
    decoded.close();
  }
}

/** createImageBitmap to decode (any format the browser reads), a canvas to scale and encode. */
export const browserCodec: ImageCodec = {
  async decode(file) {
    const bitmap = await createImageBitmap(file);
    return {
      width: bitmap.width,
      height: bitmap.height,
      source: bitmap,
      close: () => bitmap.close(),
    };
  },
  async encode(source, width, height, type, quality) {
    const canvas =
      typeof OffscreenCanvas === 'function'
        ? new OffscreenCanvas(width, height)
        : Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new ImageError('This browser cannot resize images.');
    // JPEG has no transparency: transparent pixels become white, not black.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
    if (canvas instanceof HTMLCanvasElement) {
      return new Promise<Blob>((resolve, reject) =>
        canvas.toBlob(
          (b) => (b ? resolve(b) : reject(new ImageError('The image could not be encoded.'))),
          type,
          quality,
        ),
      );
    }
    return canvas.convertToBlob({ type, quality });
  },
  toDataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () =>
        typeof reader.result === 'string'
          ? resolve(reader.result)
          : reject(new ImageError('The image could not be read.'));
      reader.onerror = () => reject(reader.error ?? new ImageError('The image could not be read.'));
      reader.readAsDataURL(blob);
    });
  },
};
