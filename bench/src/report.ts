/** A target from issue 15, checked against this run's figures. */
export interface Check {
  text: string;
  met: boolean;
}

export interface Row {
  metric: string;
  /** Through zai-chat's API. */
  api?: number;
  /** Through the bare node:http pipe: the floor. */
  pipe?: number;
  /** Straight to the simulator: no relay at all. */
  direct?: number;
  target?: Check;
}

/** Targets are ratios to the pipe measured in the same run, so noise moves both sides. */
export const check = {
  /** An added latency at most `slackMs` above the pipe's. */
  plusAtMost: (api: number, pipe: number, slackMs: number): Check => ({
    text: `≤ pipe + ${slackMs} ms`,
    met: api <= pipe + slackMs,
  }),
  timesAtMost: (api: number, pipe: number, factor: number): Check => ({
    text: `≤ ${factor}× pipe`,
    met: api <= pipe * factor,
  }),
  shareAtLeast: (api: number, pipe: number, share: number): Check => ({
    text: `≥ ${Math.round(share * 100)}% of pipe`,
    met: api >= pipe * share,
  }),
  /** At most `factor` times another figure of the same run, named by `of`. */
  timesOfAtMost: (value: number, base: number, factor: number, of: string): Check => ({
    text: `≤ ${factor}× ${of}`,
    met: value <= base * factor,
  }),
  atLeast: (value: number, limit: number): Check => ({
    text: `≥ ${limit}`,
    met: value >= limit,
  }),
  atMost: (value: number, limit: number, unit = ''): Check => ({
    text: `≤ ${limit}${unit ? ` ${unit}` : ''}`,
    met: value <= limit,
  }),
  none: (...counts: (number | undefined)[]): Check => ({
    text: '0',
    met: counts.every((c) => c === undefined || c === 0),
  }),
};

export const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n)
    ? ''
    : !Number.isFinite(n)
      ? '∞'
      : Number.isInteger(n) || Math.abs(n) >= 100
        ? Math.round(n).toLocaleString('en-US')
        : Math.abs(n) >= 10
          ? n.toFixed(1)
          : n.toFixed(2);

/** zai-chat ÷ pipe, when both sides have a figure and the pipe's is not zero. */
export function ratio(row: Row): number | undefined {
  if (row.api === undefined || row.pipe === undefined || !row.pipe) return undefined;
  const r = row.api / row.pipe;
  return Number.isFinite(r) ? r : undefined;
}

/** A markdown table: pasteable into the README as is. */
export function formatTable(rows: Row[]): string {
  const header = ['Metric', 'zai-chat', 'pipe', 'direct', '÷ pipe', 'Target', 'Met'];
  const lines = rows.map((r) => {
    const x = ratio(r);
    return [
      r.metric,
      fmt(r.api),
      fmt(r.pipe),
      fmt(r.direct),
      x === undefined ? '' : `${x.toFixed(2)}×`,
      r.target?.text ?? '',
      r.target ? (r.target.met ? 'met' : '**missed**') : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    row(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(row),
  ].join('\n');
}
