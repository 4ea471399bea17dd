/**
 * A sink that prints results for watching a query in a terminal (Spark's
 * `console` sink): an aligned text table on a terminal, NDJSON otherwise.
 *
 * Format (`format`): `'table'`, `'ndjson'`, or `'auto'` (the default): a
 * table when the output is a terminal (`out.isTTY === true`), NDJSON when it
 * is not (a pipe, a file), so `eddy run | jq` gets every field of every
 * record. NDJSON lines are byte for byte what the file sink writes for the
 * same records (one encoder, src/engine/ndjsonText.ts); every record is
 * written, so `maxRows` and `headerEvery` apply to the table only.
 *
 * The table fits the terminal. Its width (`width`) is the output's
 * `columns` when it has them (a TTY's width when the sink opens), else
 * unlimited. Columns are taken in this priority order, and the longest
 * prefix of it that fits the width is shown, in the schema's order:
 *
 *  1. the key columns: the schema's `keyColumns` (window bounds and
 *     grouping columns), or the first column when it has none (an event's
 *     `timestamp`, a match's `pattern`, a dead letter's `source`); they are
 *     shown even when they alone are wider than the terminal;
 *  2. the first two other columns that are not analytics (a window's first
 *     aggregates, e.g. `avg_value`, `stddev_value`; an event's grouping
 *     column and value);
 *  3. the anomaly verdict: `anomaly_score`, `is_anomaly`;
 *  4. `detected_patterns`, then `forecast`;
 *  5. the other non-analytics columns (`min_value`, `max_value`, `count`, …);
 *  6. the other analytics columns (`zscore`, `rolling_avg`,
 *     `rolling_stddev`, `level`, `trend`, `forecast_h`).
 *
 * When columns are left out, the first header says so in one line before
 * the column names (`… 11 more columns: min_value, max_value, … (--wide
 * shows all)`). `wide: true` shows every column whatever the width.
 *
 * Column widths are fixed when the sink opens, from the column names, so
 * every batch lines up with the header without buffering. The header is
 * repeated every `headerEvery` data lines so it stays in view while output
 * scrolls. Cells are shaped for reading, not for reloading: numbers are
 * rounded to 4 decimals and timestamps lose their `T`, `.000` and `Z`
 * (they stay UTC). Use the file sink (or NDJSON) for exact values. Text
 * longer than its column is cut with a visible `…`; numbers and timestamps
 * are never cut: one wider than its column pushes the next cells right
 * until their padding takes it up. In a fitted table a line must still end
 * within the width, so there a number wider than its column is shown in
 * exponent notation (`1.23457e+14`), and if a line is still too long (a
 * window bound with a fraction of a second), its last cells are left off
 * and the line ends with `…`.
 *
 * A closed output (EPIPE: the reader of a pipe went away, as in
 * `eddy run | head`) is not a failure of the query: the sink drops what
 * comes after, and the CLI stops the query when it sees stdout closed.
 */
import type { OutputBatch, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { flattenRecord, type FlatRecord, type FlatValue } from '../engine/flatten.js';
import { ndjsonText } from '../engine/ndjsonText.js';
import { isDrainable, waitForDrain } from './drain.js';

/**
 * Where console output goes: `process.stdout`, or anything with
 * `write(string)`; `isTTY` and `columns` (as a terminal stream has them)
 * choose the default format and width.
 */
export interface TextOutput {
  write(text: string): unknown;
  /** True for a terminal: the `'auto'` format prints a table. */
  readonly isTTY?: boolean;
  /** Width of the terminal in characters: the table's default width. */
  readonly columns?: number;
}

/** How the console sink prints: an aligned table, NDJSON, or `'auto'` (a table on a terminal, else NDJSON). */
export const CONSOLE_FORMATS = ['table', 'ndjson', 'auto'] as const;
/** One of CONSOLE_FORMATS. */
export type ConsoleFormat = (typeof CONSOLE_FORMATS)[number];

/** Options of `consoleSink`. */
export interface ConsoleSinkOptions {
  /** Destination of the text. Default `process.stdout`. */
  out?: TextOutput;
  /** Default `'auto'`: a table when `out.isTTY === true`, NDJSON otherwise. */
  format?: ConsoleFormat;
  /**
   * Most characters per table line (a positive integer, or `Infinity`).
   * Default: `out.columns` when the output has them, else unlimited.
   */
  width?: number;
  /** Show every column, whatever the width. Default false. */
  wide?: boolean;
  /** How the hidden-columns note says to show them all. Default `'wide: true'` (the CLI says `--wide`). */
  wideHint?: string;
  /**
   * Most data rows printed per batch; the rest are summarized in one line
   * (as Spark's console sink shows the first `numRows`). Default 20;
   * `Infinity` prints every row. Table only.
   */
  maxRows?: number;
  /** The header is printed again after this many data lines. Default 40. Table only. */
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
/** Default `wideHint`. */
export const CONSOLE_DEFAULT_WIDE_HINT = 'wide: true';

const SEPARATOR = ' | ';
const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;
/** Column names of window bounds: `window_start`, `window_end`, `start`, … */
const BOUND_COLUMN = /(?:^|_)(?:start|end)$/;
/** Column names of event times: `timestamp`, `event_time`, … */
const EVENT_TIME_COLUMN = /(?:^|_)(?:time|timestamp)$/;
/** Control characters would break a table line; they are shown escaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are escaped)
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;
/** The analytics columns a query may add (src/engine/analytics.ts). */
const ANALYTICS_COLUMNS = new Set([
  'rolling_avg',
  'rolling_stddev',
  'zscore',
  'is_anomaly',
  'anomaly_score',
  'level',
  'trend',
  'forecast',
  'forecast_h',
  'detected_patterns',
]);
/** Steps 3 and 4 of the priority order. */
const SIGNAL_COLUMNS = ['anomaly_score', 'is_anomaly', 'detected_patterns', 'forecast'];
/** Step 2 of the priority order: how many leading non-analytics columns follow the keys. */
const LEADING_VALUES = 2;

/** A sink printing results as an aligned table or NDJSON (see the module comment). */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink {
  const out: TextOutput = options.out ?? process.stdout;
  const maxRows = validCount(options.maxRows ?? CONSOLE_DEFAULT_MAX_ROWS, 'maxRows', true);
  const headerEvery = validCount(options.headerEvery ?? CONSOLE_DEFAULT_HEADER_EVERY, 'headerEvery', false);
  if (options.width !== undefined) validCount(options.width, 'width', true);
  const format = options.format ?? 'auto';
  if (format !== 'table' && format !== 'ndjson' && format !== 'auto') {
    throw new RangeError(`consoleSink: format must be 'table', 'ndjson' or 'auto', got ${JSON.stringify(format)}`);
  }
  const ndjson = format === 'ndjson' || (format === 'auto' && out.isTTY !== true);
  const wide = options.wide ?? false;
  const wideHint = options.wideHint ?? CONSOLE_DEFAULT_WIDE_HINT;
  let width = Infinity;
  let columns: string[] = [];
  let widths: number[] = [];
  let keyCount = 0;
  let note = '';
  let linesSinceHeader = 0;
  /** Set once the output is closed (EPIPE): nothing more is written. */
  let closed = false;

  const emit = async (text: string): Promise<void> => {
    if (closed || text === '') return;
    try {
      // A full stdout buffer (a slow pipe) is waited for, not grown without bound.
      if (out.write(text) === false && isDrainable(out)) await waitForDrain(out);
    } catch (error) {
      if (!isClosedOutput(error)) throw error;
      closed = true;
    }
  };

  const headerText = (): string => {
    linesSinceHeader = 0;
    const names = columns.map((name, i): Cell => ({ text: cutText(name, widths[i] ?? 0), right: false }));
    const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
    const first = note === '' ? '' : `${note}\n`;
    note = '';
    return first + layout(names, widths) + '\n' + rule + '\n';
  };

  /** The first rows of a batch of `count` records as table lines, and how many were not shown. */
  const table = (records: ResultRecord[], count: number): Promise<void> => {
    let text = '';
    const shown = Math.min(records.length, maxRows);
    for (let i = 0; i < shown; i++) {
      if (linesSinceHeader >= headerEvery) text += headerText();
      text += rowLine(flattenRecord(records[i] ?? {}), columns, widths, width, keyCount);
      linesSinceHeader++;
    }
    const hidden = count - shown;
    if (hidden > 0) text += `… ${hidden} more row${hidden === 1 ? '' : 's'} in this batch not shown\n`;
    return emit(text);
  };

  return {
    description: 'console',
    open(schema: OutputSchema): Promise<void> {
      if (ndjson) return Promise.resolve();
      width = wide ? Infinity : (options.width ?? terminalWidth(out));
      const fit = fitConsoleColumns(schema, width);
      columns = fit.shown;
      widths = columns.map(consoleColumnWidth);
      keyCount = fit.keys.length;
      note = fit.hidden.length > 0 ? hiddenColumnsNote(fit.hidden, width, wideHint) : '';
      return emit(headerText());
    },
    write(records: ResultRecord[]): Promise<void> {
      return ndjson ? emit(ndjsonText(records)) : table(records, records.length);
    },
    writeBatch(batch: OutputBatch): Promise<void> {
      // NDJSON straight from the batch's columns; for the table, only the rows shown are built as records
      return ndjson ? emit(batch.ndjson()) : table(batch.head(maxRows), batch.count);
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
 * The schema's columns in the console's priority order (see the module
 * comment), and how many of them are key columns (they come first).
 */
export function consoleColumnPriority(schema: OutputSchema): { order: string[]; keys: string[] } {
  const all = schema.columns;
  const keyNames = schema.keyColumns !== undefined && schema.keyColumns.length > 0 ? schema.keyColumns : all.slice(0, 1);
  const keys = all.filter((c) => keyNames.includes(c));
  const rest = all.filter((c) => !keys.includes(c));
  const plain = rest.filter((c) => !ANALYTICS_COLUMNS.has(c));
  const leading = plain.slice(0, LEADING_VALUES);
  const signals = SIGNAL_COLUMNS.filter((c) => rest.includes(c));
  const otherPlain = plain.slice(LEADING_VALUES);
  const otherAnalytics = rest.filter((c) => ANALYTICS_COLUMNS.has(c) && !signals.includes(c));
  return { order: [...keys, ...leading, ...signals, ...otherPlain, ...otherAnalytics], keys };
}

/** Characters a table line over these column widths takes. */
export function tableWidth(widths: readonly number[]): number {
  return widths.reduce((sum, w) => sum + w, 0) + SEPARATOR.length * Math.max(0, widths.length - 1);
}

/**
 * The columns a table of `width` characters shows (the key columns always,
 * then the longest prefix of the priority order that fits), in the schema's
 * order, and the ones it leaves out, in the schema's order too.
 */
export function fitConsoleColumns(schema: OutputSchema, width: number): { shown: string[]; hidden: string[]; keys: string[] } {
  const { order, keys } = consoleColumnPriority(schema);
  const taken = new Set(keys);
  let used = tableWidth(keys.map(consoleColumnWidth));
  for (const column of order.slice(keys.length)) {
    const next = used + (taken.size > 0 ? SEPARATOR.length : 0) + consoleColumnWidth(column);
    if (next > width) break;
    taken.add(column);
    used = next;
  }
  return {
    shown: schema.columns.filter((c) => taken.has(c)),
    hidden: schema.columns.filter((c) => !taken.has(c)),
    keys,
  };
}

/**
 * The one-line note naming the hidden columns, as many names as fit in
 * `width`: `… 11 more columns: min_value, max_value, … (--wide shows all)`;
 * shorter forms when the width is small.
 */
export function hiddenColumnsNote(hidden: readonly string[], width: number, wideHint: string): string {
  const n = hidden.length;
  const more = `… ${n} more column${n === 1 ? '' : 's'}`;
  const tail = ` (${wideHint} shows all)`;
  const fits = (text: string): boolean => [...text].length <= width;
  let best = `${more}${tail}`;
  for (let k = 1; k <= n; k++) {
    const names = hidden.slice(0, k).join(', ') + (k < n ? ', …' : '');
    const candidate = `${more}: ${names}${tail}`;
    if (!fits(candidate)) break;
    best = candidate;
  }
  if (fits(best)) return best;
  return [`${more} (${wideHint})`, more].find(fits) ?? more;
}

/**
 * Display width of a column: at least the name and `CONSOLE_MIN_COLUMN_WIDTH`;
 * window bounds (`…_start`, `…_end`) at least `CONSOLE_TIMESTAMP_WIDTH`,
 * event times (`timestamp`, `…_time`) at least `CONSOLE_EVENT_TIME_WIDTH`.
 */
export function consoleColumnWidth(name: string): number {
  const minimum = EVENT_TIME_COLUMN.test(name) ? CONSOLE_EVENT_TIME_WIDTH : BOUND_COLUMN.test(name) ? CONSOLE_TIMESTAMP_WIDTH : CONSOLE_MIN_COLUMN_WIDTH;
  return Math.max(minimum, [...name].length);
}

/**
 * One table line (newline included) for a record, over `columns` of
 * `widths`. With a finite `limit` (a fitted table) the line ends within it
 * (see the module comment), unless its first `keyCount` cells alone do not.
 */
export function formatTableRow(
  record: ResultRecord,
  columns: readonly string[],
  widths: readonly number[],
  limit = Infinity,
  keyCount = columns.length,
): string {
  return rowLine(flattenRecord(record), columns, widths, limit, keyCount);
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

/** The table's default width: the output's `columns` when it is a positive number, else unlimited. */
function terminalWidth(out: TextOutput): number {
  const columns = out.columns;
  return typeof columns === 'number' && Number.isInteger(columns) && columns > 0 ? columns : Infinity;
}

/** A cell's text and which side of its column it sticks to. */
interface Cell {
  text: string;
  right: boolean;
}

function rowLine(flat: FlatRecord, columns: readonly string[], widths: readonly number[], limit: number, keyCount: number): string {
  const valueAt = (i: number): FlatValue => {
    const column = columns[i]!;
    return Object.hasOwn(flat, column) ? (flat[column] ?? null) : null;
  };
  let cells = columns.map((_, i) => formatCell(valueAt(i), widths[i] ?? CONSOLE_MIN_COLUMN_WIDTH, false));
  let line = layout(cells, widths);
  if (length(line) <= limit) return line + '\n';
  // a fitted table: numbers wider than their column in exponent notation, then the last cells left off
  cells = columns.map((_, i) => formatCell(valueAt(i), widths[i] ?? CONSOLE_MIN_COLUMN_WIDTH, true));
  line = layout(cells, widths);
  const marker: Cell = { text: '…', right: false };
  for (let kept = cells.length - 1; length(line) > limit && kept >= Math.max(1, keyCount); kept--) {
    line = layout([...cells.slice(0, kept), marker], widths);
  }
  return line + '\n';
}

/**
 * Cells joined by ` | ` at their columns' offsets. A cell wider than its
 * column pushes what follows right only until later padding takes it up.
 */
function layout(cells: readonly Cell[], widths: readonly number[]): string {
  let line = '';
  let at = 0; // code points in `line`
  let slot = 0; // where the current column starts
  const pad = (to: number): void => {
    if (to > at) {
      line += ' '.repeat(to - at);
      at = to;
    }
  };
  cells.forEach((cell, i) => {
    if (i > 0) {
      pad(slot - SEPARATOR.length);
      line += SEPARATOR;
      at += SEPARATOR.length;
    }
    const w = widths[i] ?? CONSOLE_MIN_COLUMN_WIDTH;
    const n = length(cell.text);
    pad(cell.right ? slot + w - n : slot);
    line += cell.text;
    at += n;
    slot += w + SEPARATOR.length;
  });
  return line.trimEnd();
}

function formatCell(value: FlatValue, width: number, compact: boolean): Cell {
  if (value === null) return { text: 'null', right: false };
  if (typeof value === 'number') {
    const text = formatDisplayNumber(value);
    return { text: compact && length(text) > width ? compactNumber(value, width) : text, right: true };
  }
  if (typeof value === 'boolean') return { text: String(value), right: false };
  const shortened = shortenTimestamp(value);
  // Numbers and timestamps are never cut: a wider cell pushes the next ones, a cut one would lie.
  if (shortened !== value) return { text: shortened, right: false };
  return { text: cutText(escapeControlCharacters(value), width), right: false };
}

/** A finite number in exponent notation, with as many digits as fit in `width` (at least one). */
function compactNumber(value: number, width: number): string {
  if (!Number.isFinite(value)) return String(value);
  let text = value.toExponential(0);
  for (let digits = 1; digits <= 16; digits++) {
    const candidate = value.toExponential(digits).replace(/\.?0+e/, 'e');
    if (candidate.length > width) break;
    text = candidate;
  }
  return text;
}

/** Text longer than `width` cut to it, ending in a visible `…`. */
function cutText(text: string, width: number): string {
  // Code points, not UTF-16 units, so a cut never splits a surrogate pair.
  const characters = [...text];
  return characters.length > width ? characters.slice(0, Math.max(0, width - 1)).join('') + '…' : text;
}

function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** An output that went away: the reader of a pipe closed it (EPIPE), or the stream was destroyed. */
function isClosedOutput(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

function validCount(value: number, name: string, allowInfinity: boolean): number {
  const ok = value === Infinity ? allowInfinity : Number.isInteger(value) && value >= 1;
  if (!ok) throw new RangeError(`consoleSink: ${name} must be a positive integer${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}`);
  return value;
}
