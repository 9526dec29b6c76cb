const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects/arrays deeper than `maxDepth`, read from the raw bytes in
 * one pass before anything parses it. A deeply nested body is cheap to send and dear to
 * handle (JSON.parse's cost grows with depth: ~95 ms of CPU for 1 MB of `[`; JSON.stringify
 * of ~4,000 levels overflows the stack), so it is refused for the price of a scan that stops
 * at the first level too deep. Strings are skipped with a native search for the closing quote,
 * so a long string (a base64 image) costs about what copying it would.
 */
export function nestsDeeperThan(buf: Buffer, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      i = closingQuote(buf, i + 1);
      if (i < 0) return false; // unterminated: JSON.parse will say so
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Index of the quote that ends the string starting at `from`, or -1. */
function closingQuote(buf: Buffer, from: number): number {
  for (let at = buf.indexOf(QUOTE, from); at >= 0; at = buf.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (buf[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}
