/**
 * Split markdown into top-level blocks at blank lines, never inside a code fence or a `$$`
 * math block. Every block but the last is final while an answer streams, so each can be
 * rendered once and memoized; only the growing tail re-renders.
 */
export function splitBlocks(markdown: string): string[] {
  const { finished, tailStart } = scanBlocks(markdown, 0);
  const tail = markdown.slice(tailStart);
  return tail ? [...finished, trimTail(tail)] : finished;
}

// A tail that is only blank lines is no block; a block keeps its own text without the
// trailing newline that separated it from what follows.
const trimTail = (tail: string) => tail.replace(/\n+$/, '');

/**
 * Scan `text` from `from` (a block start outside any fence) and return the blocks that are
 * complete (a later block has begun after them) plus where the last, still open one starts.
 * Cost is proportional to the text after `from`, so a streaming answer re-scans only its tail.
 */
export function scanBlocks(text: string, from: number): { finished: string[]; tailStart: number } {
  const finished: string[] = [];
  let lastStart = -1; // start of the last finished block
  let blockStart = -1; // start of the current block, -1 between blocks
  let blockEnd = -1; // end of its last line
  let fence: string | undefined;
  let pos = from;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end);
    const trimmed = line.trimStart();
    if (fence) {
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') fence = undefined;
      blockEnd = end;
    } else if (line.trim() === '') {
      if (blockStart >= 0) {
        // A blank line ends the block; it is final once any text follows.
        finished.push(text.slice(blockStart, blockEnd));
        lastStart = blockStart;
        blockStart = -1;
      }
    } else {
      if (blockStart < 0) blockStart = pos;
      const opener =
        /^(`{3,}|~{3,})/.exec(trimmed)?.[1] ?? (trimmed.trim() === '$$' ? '$$' : undefined);
      if (opener) fence = opener;
      blockEnd = end;
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  if (blockStart >= 0) return { finished, tailStart: blockStart };
  // The text ends between blocks: the last finished block stays the tail until more arrives,
  // so a block is never called final before the stream has moved past it.
  if (finished.pop() === undefined) return { finished, tailStart: text.length };
  return { finished, tailStart: lastStart };
}

/**
 * Blocks of a growing text, re-scanning only from the start of the open tail block. Finished
 * blocks keep their string identity, so renderers can memoize them.
 */
export class BlockSplitter {
  private text = '';
  private doneAt = 0;
  private finished: string[] = [];

  update(text: string): { finished: readonly string[]; tail: string } {
    // Anything but an append (a different answer) starts over.
    if (!text.startsWith(this.text.slice(0, this.doneAt))) this.reset();
    const { finished, tailStart } = scanBlocks(text, this.doneAt);
    if (finished.length) this.finished = [...this.finished, ...finished];
    this.text = text;
    this.doneAt = tailStart;
    return { finished: this.finished, tail: trimTail(text.slice(tailStart)) };
  }

  private reset() {
    this.text = '';
    this.doneAt = 0;
    this.finished = [];
  }
}

/**
 * Finished blocks in groups of `size`. Full groups keep their array identity forever, so a
 * renderer memoized on a group skips it: a render walks blocks/size groups plus one group.
 */
export class BlockGrouper {
  private groups: string[][] = [];
  private count = 0;

  constructor(private readonly size = 32) {}

  update(finished: readonly string[]): readonly string[][] {
    if (finished.length < this.count) {
      this.groups = [];
      this.count = 0;
    }
    if (finished.length === this.count) return this.groups;
    const groups = this.groups.slice();
    let start = (groups.length - 1) * this.size;
    if (groups.length === 0 || groups[groups.length - 1]!.length === this.size) {
      start = groups.length * this.size;
    } else groups.pop();
    for (let i = start; i < finished.length; i += this.size)
      groups.push(finished.slice(i, i + this.size));
    this.groups = groups;
    this.count = finished.length;
    return groups;
  }
}
