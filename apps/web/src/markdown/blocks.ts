/**
 * Split markdown into top-level blocks at blank lines, never inside a code fence or a `$$`
 * math block. Every block but the last is final while an answer streams, so each can be
 * rendered once and memoized; only the growing tail re-renders.
 */
export function splitBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const trimmed = line.trimStart();
    if (fence) {
      current.push(line);
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') fence = undefined;
      continue;
    }
    const opener =
      /^(`{3,}|~{3,})/.exec(trimmed)?.[1] ??
      (trimmed.startsWith('$$') && trimmed.trim() === '$$' ? '$$' : undefined);
    if (opener) {
      fence = opener;
      current.push(line);
      continue;
    }
    if (line.trim() === '') {
      if (current.length) blocks.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
  }
  if (current.length) blocks.push(current.join('\n'));
  return blocks;
}
