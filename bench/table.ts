/** Plain-text tables for the terminal: a header, a rule, and right-aligned numeric columns. */

export interface Column<R> {
  title: string;
  cell: (row: R) => string;
  /** Numbers align right; text left. */
  right?: boolean;
}

export function formatTable<R>(columns: Column<R>[], rows: R[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (columns[i].right ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.title)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

/** 11529602 -> "11,529,602"; null -> "-". */
export const count = (n: number | null): string => (n === null ? '-' : Math.round(n).toLocaleString('en-US'));

/** A count at the cut-off of a run that hit the cap: ">8,558,894". */
export const countOrCut = (n: number | null, complete: boolean): string =>
  complete ? count(n) : `>${count(n)}`;

export const fixed = (n: number | null, digits = 2): string => (n === null ? '-' : n.toFixed(digits));

/** Ratios always with two decimals. */
export const times = (n: number | null): string => (n === null ? 'n/a' : n.toFixed(2));
