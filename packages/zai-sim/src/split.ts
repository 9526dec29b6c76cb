/**
 * The `split` scenario's write plan: the bytes of a response cut so that a client must
 * reassemble frames across network reads. Each frame goes out in 2–3 writes, cut inside its
 * first and last multi-byte UTF-8 characters when it has some; every fifth frame (when it is
 * plain ASCII) is instead written whole together with the tail of the frame before it and the
 * head of the one after it (two frames and half of a third in one write). Deterministic: the
 * same frames always give the same writes.
 */
export function splitWrites(frames: string[]): Buffer[] {
  const buffers = frames.map((f) => Buffer.from(f, 'utf8'));
  const all = Buffer.concat(buffers);
  const cuts = new Set<number>();
  // A frame rides whole in one write with the tail of the one before and the head of the one
  // after: every fifth frame, unless it has multi-byte characters (those get cut instead).
  const merged = buffers.map(
    (b, k) => k % 5 === 3 && k + 1 < buffers.length && !b.some((byte) => byte >= 0x80),
  );
  let start = 0;
  buffers.forEach((b, k) => {
    const end = start + b.length;
    if (!merged[k]) {
      for (const cut of cutsInside(b, k)) cuts.add(start + cut);
      if (!merged[k + 1]) cuts.add(end);
    }
    start = end;
  });
  const writes: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= from || cut > all.length) continue;
    writes.push(all.subarray(from, cut));
    from = cut;
  }
  if (from < all.length) writes.push(all.subarray(from));
  return writes;
}

/** 1 or 2 cut offsets strictly inside `frame`. */
function cutsInside(frame: Buffer, k: number): number[] {
  if (frame.length < 2) return [];
  // Lead bytes of multi-byte characters (0b11xxxxxx); a frame starts with ASCII `data: `.
  const leads = [...frame.keys()].filter((i) => (frame[i] as number) >= 0xc0);
  if (leads.length > 0) {
    // One byte into the first such character, two into the last when it is another one
    // (a 4-byte emoji then splits mid-sequence too).
    const into = (i: number) => i + ((frame[i] as number) >= 0xf0 ? 2 : 1);
    const first = into(leads[0] as number);
    const last = into(leads[leads.length - 1] as number);
    return last > first ? [first, last] : [first];
  }
  const middle = Math.floor(frame.length / 2);
  const threeQuarters = Math.floor((frame.length * 3) / 4);
  return k % 2 === 0 && threeQuarters > middle ? [middle, threeQuarters] : [middle];
}

/** True when `bytes` is not valid UTF-8 on its own (it starts or ends inside a character). */
export function splitsACharacter(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}
