import { InvalidArgumentError } from 'commander';

/** Plain-text output helpers: aligned tables and human durations, no colour (output is often piped). */

export type Cell = string | number | boolean | null | undefined;

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  return String(cell);
}

/**
 * Left-aligned columns separated by two spaces, header first; the last column is not padded so
 * long values (error messages) do not leave trailing blanks.
 */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...text.map(line)].join('\n');
}

const UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** `604800000` -> `7d`, `-1` -> `forever`; values that are not whole units keep their ms. */
export function formatDurationMs(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  const ms = Number(value);
  if (!Number.isFinite(ms)) return value;
  if (ms < 0) return 'forever';
  for (const [unit, size] of UNITS) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `a, b ,c` -> `['a','b','c']`; empty parts dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Commander argument parser for a positive integer flag (bad values become usage errors). */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`must be a positive integer (got "${value}")`);
  return n;
}

/** Commander argument parser for a non-negative integer flag. */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`must be a non-negative integer (got "${value}")`);
  }
  return n;
}
