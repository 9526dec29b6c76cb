import { crc32, deflateSync } from 'node:zlib';

/**
 * A PNG written here, byte for byte the same on every run, so tests need no binary fixtures:
 * `gradient` (compresses well: a big picture in a small file) or `noise` (does not compress:
 * a small picture in a heavy file, from a fixed seed).
 */
export function png(
  width: number,
  height: number,
  fill: 'gradient' | 'noise' = 'gradient',
): Buffer {
  const rowBytes = width * 3 + 1;
  const raw = Buffer.alloc(rowBytes * height);
  let seed = 0x2545f491;
  const next = () => {
    // xorshift32: fixed seed, so the "noise" is the same file every time.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed & 0xff;
  };
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const p = row + 1 + x * 3;
      if (fill === 'noise') {
        raw[p] = next();
        raw[p + 1] = next();
        raw[p + 2] = next();
      } else {
        raw[p] = Math.round((x / Math.max(1, width - 1)) * 255);
        raw[p + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
        raw[p + 2] = 160;
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}
