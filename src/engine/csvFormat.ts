/**
 * RFC 4180 CSV text for a header and rows.
 *
 * A field is quoted only when it must be: when it holds a comma, a double
 * quote, CR or LF (quotes inside are doubled). Two deliberate choices:
 *
 * - lines end with LF by default, as Spark, pandas and most Unix tools
 *   write CSV (RFC 4180 says CRLF; every RFC 4180 reader accepts both, and
 *   `lineEnding: '\r\n'` gives the strict form);
 * - null is an empty cell and the empty string is `""`, so the two stay
 *   distinguishable (Spark's CSV writer does the same).
 */
import { flatValue } from './flatten.js';

/** Line terminator of CSV output. */
export type CsvLineEnding = '\n' | '\r\n';

/** Characters that force a field to be quoted. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: null and undefined → empty; a number as JavaScript prints it
 * (shortest text that reads back to the same double), except NaN and
 * ±Infinity → empty, as they are null in JSON output; booleans → `true` /
 * `false`; a string quoted if needed, the empty string as `""`; anything
 * else as its `flatValue` (objects as JSON text, dates as ISO-8601).
 */
export function csvField(value: unknown): string {
  const flat = flatValue(value);
  if (flat === null) return '';
  if (typeof flat === 'number') return Number.isFinite(flat) ? String(flat) : '';
  if (typeof flat === 'boolean') return flat ? 'true' : 'false';
  if (flat === '') return '""';
  return NEEDS_QUOTES.test(flat) ? `"${flat.replaceAll('"', '""')}"` : flat;
}

/** One CSV line (fields joined by commas), terminator included. */
export function csvLine(values: readonly unknown[], lineEnding: CsvLineEnding = '\n'): string {
  return values.map(csvField).join(',') + lineEnding;
}

/** A whole CSV text: the header line, then one line per row. */
export function formatCsv(header: readonly string[], rows: readonly (readonly unknown[])[], lineEnding: CsvLineEnding = '\n'): string {
  let text = csvLine(header, lineEnding);
  for (const row of rows) text += csvLine(row, lineEnding);
  return text;
}
