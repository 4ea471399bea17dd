/**
 * Flattening a result record to flat columns, for tabular sinks (CSV,
 * console, memory-table `select`).
 *
 * The one nested field the engine produces is `window: { start, end }`,
 * which becomes `window_start`, `window_end` (Spark's `window.start`,
 * `window.end`). Anything else nested cannot be a cell, so it becomes its
 * JSON text rather than `[object Object]`.
 */
import type { ResultRecord } from './sink.js';
import { safeJsonStringify } from './safeJson.js';

/** What one flat cell holds. */
export type FlatValue = string | number | boolean | null;

/** A record flattened to flat column names. */
export type FlatRecord = Record<string, FlatValue>;

/**
 * The flat form of one field value: strings, numbers (NaN and ±Infinity
 * included, each sink decides how to show them) and booleans as they are;
 * null and undefined → null; a BigInt → its decimal string; a Date → ISO-8601
 * UTC (null if invalid); a function → null; any other object or array → its
 * JSON text.
 */
export function flatValue(value: unknown): FlatValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'undefined':
    case 'function':
      return null;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return safeJsonStringify(value);
}

/**
 * Flattens a record: a `window` object becomes `window_start` and
 * `window_end` (null when a bound is missing); every other field keeps its
 * name with its `flatValue`. Field order is kept.
 */
export function flattenRecord(record: ResultRecord): FlatRecord {
  const flat: FlatRecord = {};
  if (typeof record !== 'object' || record === null) return flat;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'window' && isWindowObject(value)) {
      setField(flat, 'window_start', flatValue(value.start));
      setField(flat, 'window_end', flatValue(value.end));
    } else {
      setField(flat, key, flatValue(value));
    }
  }
  return flat;
}

/**
 * The record's flat values for `columns`, in that order; a column the record
 * lacks is null. This is a CSV row.
 */
export function flatRow(record: ResultRecord, columns: readonly string[]): FlatValue[] {
  const flat = flattenRecord(record);
  return columns.map((column) => (Object.hasOwn(flat, column) ? (flat[column] ?? null) : null));
}

/**
 * A flat object with only `columns`, in that order; a column the record lacks
 * is null.
 */
export function pickFlatColumns(record: ResultRecord, columns: readonly string[]): FlatRecord {
  const flat = flattenRecord(record);
  const picked: FlatRecord = {};
  for (const column of columns) {
    setField(picked, column, Object.hasOwn(flat, column) ? (flat[column] ?? null) : null);
  }
  return picked;
}

function isWindowObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function setField(target: FlatRecord, key: string, value: FlatValue): void {
  // A plain assignment to "__proto__" (a legal JSON key) would replace the
  // prototype instead of creating a column.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
