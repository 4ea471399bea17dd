/**
 * A sink that prints results as an aligned text table, for watching a query
 * in a terminal (Spark's `console` sink).
 *
 * Column widths are fixed when the sink opens, from the column names, so
 * every batch lines up with the header without buffering. The header is
 * repeated every `headerEvery` data lines so it stays in view while output
 * scrolls. Cells are shaped for reading, not for reloading: numbers are
 * rounded to 4 decimals and timestamps lose their `T`, `.000` and `Z`
 * (they stay UTC). Use the file sink for exact values.
 */
import type { OutputBatch, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { flattenRecord, type FlatValue } from '../engine/flatten.js';
import { isDrainable, waitForDrain } from './drain.js';

/** Where console output goes: `process.stdout`, or anything with `write(string)`. */
export interface TextOutput {
  write(text: string): unknown;
}

/** Options of `consoleSink`. */
export interface ConsoleSinkOptions {
  /** Destination of the table text. Default `process.stdout`. */
  out?: TextOutput;
  /**
   * Most data rows printed per batch; the rest are summarized in one line
   * (as Spark's console sink shows the first `numRows`). Default 20;
   * `Infinity` prints every row.
   */
  maxRows?: number;
  /** The header is printed again after this many data lines. Default 40. */
  headerEvery?: number;
}

/** Default `maxRows`: Spark's console sink default `numRows`. */
export const CONSOLE_DEFAULT_MAX_ROWS = 20;
/** Default `headerEvery`: about one terminal screen. */
export const CONSOLE_DEFAULT_HEADER_EVERY = 40;
/** Narrowest column, so short names like `count` still fit typical values. */
export const CONSOLE_MIN_COLUMN_WIDTH = 12;
/** Width of a window bound shown as `YYYY-MM-DD HH:MM:SS` (windows rarely start at a fraction of a second). */
export const CONSOLE_TIMESTAMP_WIDTH = 19;
/** Width of an event time shown as `YYYY-MM-DD HH:MM:SS.fff` (event times often have milliseconds). */
export const CONSOLE_EVENT_TIME_WIDTH = 23;
/** Most decimals shown for a number. */
export const CONSOLE_DECIMALS = 4;

const SEPARATOR = ' | ';
const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;
/** Column names of window bounds: `window_start`, `window_end`, `start`, … */
const BOUND_COLUMN = /(?:^|_)(?:start|end)$/;
/** Column names of event times: `timestamp`, `event_time`, … */
const EVENT_TIME_COLUMN = /(?:^|_)(?:time|timestamp)$/;
/** Control characters would break a table line; they are shown escaped. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A sink printing results as an aligned table (see the module comment). */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink {
  const out: TextOutput = options.out ?? process.stdout;
  const maxRows = validCount(options.maxRows ?? CONSOLE_DEFAULT_MAX_ROWS, 'maxRows', true);
  const headerEvery = validCount(options.headerEvery ?? CONSOLE_DEFAULT_HEADER_EVERY, 'headerEvery', false);
  let columns: string[] = [];
  let widths: number[] = [];
  let linesSinceHeader = 0;

  const emit = async (text: string): Promise<void> => {
    // A full stdout buffer (a slow pipe) is waited for, not grown without bound.
    if (out.write(text) === false && isDrainable(out)) await waitForDrain(out);
  };

  const headerText = (): string => {
    linesSinceHeader = 0;
    const names = columns.map((name, i) => fitCell(name, widths[i] ?? 0, 'left', true));
    const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
    return tableLine(names) + rule + '\n';
  };

  /** The first rows of a batch of `count` records as table lines, and how many were not shown. */
  const table = (records: ResultRecord[], count: number): Promise<void> => {
    let text = '';
    const shown = Math.min(records.length, maxRows);
    for (let i = 0; i < shown; i++) {
      if (linesSinceHeader >= headerEvery) text += headerText();
      text += formatTableRow(records[i] ?? {}, columns, widths);
      linesSinceHeader++;
    }
    const hidden = count - shown;
    if (hidden > 0) text += `… ${hidden} more row${hidden === 1 ? '' : 's'} in this batch not shown\n`;
    return text === '' ? Promise.resolve() : emit(text);
  };

  return {
    description: 'console',
    open(schema: OutputSchema): Promise<void> {
      columns = [...schema.columns];
      widths = columns.map(consoleColumnWidth);
      return emit(headerText());
    },
    write(records: ResultRecord[]): Promise<void> {
      return table(records, records.length);
    },
    writeBatch(batch: OutputBatch): Promise<void> {
      // only the rows shown are built as records
      return table(batch.head(maxRows), batch.count);
    },
    flush(): void {
      // Each batch is handed to `out` in write(); there is nothing buffered here.
    },
    close(): void {
      // The sink does not own `out` (usually process.stdout): never end it.
    },
  };
}

/**
 * Display width of a column: at least the name and `CONSOLE_MIN_COLUMN_WIDTH`;
 * window bounds (`…_start`, `…_end`) at least `CONSOLE_TIMESTAMP_WIDTH`,
 * event times (`timestamp`, `…_time`) at least `CONSOLE_EVENT_TIME_WIDTH`.
 */
export function consoleColumnWidth(name: string): number {
  const minimum = EVENT_TIME_COLUMN.test(name)
    ? CONSOLE_EVENT_TIME_WIDTH
    : BOUND_COLUMN.test(name)
      ? CONSOLE_TIMESTAMP_WIDTH
      : CONSOLE_MIN_COLUMN_WIDTH;
  return Math.max(minimum, [...name].length);
}

/** One table line (newline included) for a record. */
export function formatTableRow(record: ResultRecord, columns: readonly string[], widths: readonly number[]): string {
  const flat = flattenRecord(record);
  const cells = columns.map((column, i) => {
    const value = Object.hasOwn(flat, column) ? (flat[column] ?? null) : null;
    return formatCell(value, widths[i] ?? CONSOLE_MIN_COLUMN_WIDTH);
  });
  return tableLine(cells);
}

/**
 * Display text of a number: at most `CONSOLE_DECIMALS` decimals, trailing
 * zeros dropped (1.5 → `1.5`, 1/3 → `0.3333`); NaN and ±Infinity as named.
 */
export function formatDisplayNumber(value: number): string {
  // toFixed switches to exponent notation from 1e21, where there are no decimals to round anyway.
  if (!Number.isFinite(value) || Number.isInteger(value) || Math.abs(value) >= 1e21) return String(value);
  const rounded = Number(value.toFixed(CONSOLE_DECIMALS));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/**
 * `2024-01-01T00:05:00.000Z` → `2024-01-01 00:05:00` (UTC kept, zero
 * fraction dropped; a non-zero fraction is kept: `00:00:03.250`). Text that
 * is not an ISO-8601 UTC timestamp is returned unchanged.
 */
export function shortenTimestamp(text: string): string {
  const match = ISO_UTC.exec(text);
  if (!match) return text;
  const [, date, time, fraction] = match;
  return fraction && /[1-9]/.test(fraction) ? `${date} ${time}.${fraction}` : `${date} ${time}`;
}

function formatCell(value: FlatValue, width: number): string {
  if (value === null) return fitCell('null', width, 'left', false);
  if (typeof value === 'number') return fitCell(formatDisplayNumber(value), width, 'right', false);
  if (typeof value === 'boolean') return fitCell(String(value), width, 'left', false);
  const shortened = shortenTimestamp(value);
  // Numbers and timestamps are never cut: a wider cell misaligns one line, a cut one would lie.
  if (shortened !== value) return fitCell(shortened, width, 'left', false);
  return fitCell(escapeControlCharacters(value), width, 'left', true);
}

function fitCell(text: string, width: number, align: 'left' | 'right', cutIfLong: boolean): string {
  // Code points, not UTF-16 units, so a cut never splits a surrogate pair.
  const characters = [...text];
  if (characters.length > width && cutIfLong) return characters.slice(0, Math.max(0, width - 1)).join('') + '…';
  const padding = ' '.repeat(Math.max(0, width - characters.length));
  return align === 'left' ? text + padding : padding + text;
}

function tableLine(cells: readonly string[]): string {
  return cells.join(SEPARATOR).trimEnd() + '\n';
}

function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function validCount(value: number, name: string, allowInfinity: boolean): number {
  const ok = value === Infinity ? allowInfinity : Number.isInteger(value) && value >= 1;
  if (!ok) throw new RangeError(`consoleSink: ${name} must be a positive integer${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}`);
  return value;
}
