import { describe, expect, test } from 'vitest';
import { splitsACharacter, splitWrites } from './split';

const frames = Array.from(
  { length: 12 },
  (_, i) => `data: {"n":${i},"content":"${i === 2 ? 'café 你好 🙂' : 'plain ascii text'}"}\n\n`,
);
const bytes = (bs: Buffer[]) => Buffer.concat(bs);

describe('splitWrites', () => {
  const writes = splitWrites(frames);

  test('the writes add up to exactly the frames', () => {
    expect(bytes(writes).toString('utf8')).toBe(frames.join(''));
  });

  test('is deterministic', () => {
    expect(splitWrites(frames).map((b) => b.toString('hex'))).toEqual(
      writes.map((b) => b.toString('hex')),
    );
  });

  test('no write is a whole frame on its own: frames span 2–3 writes', () => {
    const whole = new Set(frames);
    expect(writes.some((w) => whole.has(w.toString('utf8')))).toBe(false);
    expect(writes.length).toBeGreaterThan(frames.length * 1.5);
    // Frame 6 is not merged: it spans 2 or 3 writes, none of which crosses its edges.
    const start = Buffer.byteLength(frames.slice(0, 6).join(''));
    const end = start + Buffer.byteLength(frames[6] as string);
    const edges = writes.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w.length], []);
    const inside = edges.filter((e) => e > start && e < end);
    expect(edges).toContain(start);
    expect(edges).toContain(end);
    expect(inside.length).toBeGreaterThanOrEqual(1);
    expect(inside.length).toBeLessThanOrEqual(2);
  });

  test('some write holds two frame starts plus part of a third', () => {
    const merged = writes.filter((w) => (w.toString('latin1').match(/data: /g) ?? []).length >= 2);
    expect(merged.length).toBeGreaterThan(0);
    expect(merged.some((w) => !w.toString('latin1').endsWith('\n\n'))).toBe(true);
  });

  test('the first and last multi-byte characters of a frame are cut across writes', () => {
    const all = bytes(writes);
    const edges = writes.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w.length], []);
    const cutInside = (char: string) => {
      const at = all.indexOf(Buffer.from(char));
      const len = Buffer.byteLength(char);
      return edges.some((e) => e > at && e < at + len);
    };
    expect(cutInside('é')).toBe(true);
    expect(cutInside('🙂')).toBe(true);
    expect(writes.filter((w) => splitsACharacter(w)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('splitsACharacter', () => {
  test('tells whole UTF-8 from cut UTF-8', () => {
    const emoji = Buffer.from('🙂');
    expect(splitsACharacter(emoji)).toBe(false);
    expect(splitsACharacter(emoji.subarray(0, 2))).toBe(true);
    expect(splitsACharacter(emoji.subarray(2))).toBe(true);
  });
});
