/** Small formatting helpers shared by the bench and the demo. */

/** Alignment of a column. */
export type Align = 'left' | 'right';

/**
 * Renders a markdown table with padded, aligned columns.
 *
 * @param headers - column titles
 * @param rows - cells, as text
 * @param align - per column; numbers usually `right` @defaultValue first column left, others right
 * @returns the table, one line per row, no trailing newline
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const alignOf = (column: number): Align => align?.[column] ?? (column === 0 ? 'left' : 'right');
  const cell = (text: string, column: number): string =>
    alignOf(column) === 'left' ? text.padEnd(widths[column]!) : text.padStart(widths[column]!);
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, column) => cell(text, column)).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (alignOf(column) === 'left' ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map((row) => line(headers.map((_, column) => row[column] ?? '')))].join('\n');
}

/** `1234.5` → `"1.23 s"`; below one second in ms. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A ratio as `1.23×`. */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** An integer with thousands separators. */
export function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
