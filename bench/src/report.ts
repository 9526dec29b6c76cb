export interface Row {
  metric: string;
  value: number;
  /** The same measurement without the API in the path (or the idle state), from this run. */
  baseline?: number;
  /** value − baseline, where a difference is what matters (latency the API adds). */
  added?: number;
  target?: string;
}

const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n)
    ? ''
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : n.toFixed(2);

/** A markdown table: pasteable into the README as is. */
export function formatTable(rows: Row[]): string {
  const header = ['Metric', 'Through API', 'Baseline', 'Added', 'Ratio', 'Target'];
  const lines = rows.map((r) => [
    r.metric,
    fmt(r.value),
    fmt(r.baseline),
    r.added === undefined ? '' : `${r.added >= 0 ? '+' : ''}${fmt(r.added)}`,
    r.baseline ? `${(r.value / r.baseline).toFixed(2)}×` : '',
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    row(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(row),
  ].join('\n');
}
