/**
 * Named in-memory result tables, queryable while and after a query runs
 * (Spark's memory sink, where `queryName` names a table to query).
 *
 * Tables live in one registry per process (per page in a browser), so code
 * that did not start the query can look a table up by name, as a notebook or
 * a test does. Tables are for inspection and tests, not for storage: keep
 * them small with `maxRows`.
 *
 * Semantics by output mode:
 * - append: every record is a new row, in arrival order;
 * - update: a record replaces the row with the same `keyColumns` values in
 *   place (the row keeps its position), so the table holds the latest version
 *   of each window, as a Spark table updated in update mode would. Without
 *   key columns every record is a new row.
 *
 * `maxRows` drops the oldest rows (first inserted) beyond the limit and
 * counts them in `dropped`; replacing a row in update mode drops nothing.
 *
 * Rows are stored as frozen copies: a caller mutating a record it passed in
 * or got back cannot change the table. Browser-safe: no Node imports.
 */
import type { OutputSchema, ResultRecord } from '../engine/sink.js';
import { flattenRecord, pickFlatColumns, type FlatRecord } from '../engine/flatten.js';
import { safeJsonStringify } from '../engine/safeJson.js';

const registry = new Map<string, MemoryTable>();

/** The table registered under `name`, or undefined. */
export function memoryTable(name: string): MemoryTable | undefined {
  return registry.get(name);
}

/** Names of all registered tables, sorted. */
export function memoryTableNames(): string[] {
  return [...registry.keys()].sort();
}

/** Removes the table registered under `name`; true if there was one. */
export function dropMemoryTable(name: string): boolean {
  return registry.delete(name);
}

/**
 * Creates an empty table and registers it under `name`, replacing any table
 * of that name (a restarted query starts a fresh table, as in Spark).
 * `maxRows` must be a positive integer or Infinity (the default).
 */
export function createMemoryTable(name: string, schema: OutputSchema, maxRows = Infinity): MemoryTable {
  const table = new MemoryTable(name, schema, maxRows);
  registry.set(name, table);
  return table;
}

/** A named, queryable table of result records (see the module comment). */
export class MemoryTable {
  /** The name the table is registered under. */
  readonly name: string;
  /** Columns, output mode and key columns of the query writing the table. */
  readonly schema: Readonly<OutputSchema>;
  /** Most rows kept; older ones are dropped. */
  readonly maxRows: number;
  /** Rows by key (or by arrival number when rows have no key); a Map keeps insertion order. */
  #rows = new Map<string | number, ResultRecord>();
  #nextArrival = 0;
  #dropped = 0;

  /** Use `createMemoryTable` (or `memorySink`) to get a registered table. */
  constructor(name: string, schema: OutputSchema, maxRows = Infinity) {
    if (typeof name !== 'string' || name === '') throw new TypeError('memory table: the name must be a non-empty string');
    if (!(maxRows === Infinity || (Number.isInteger(maxRows) && maxRows >= 1))) {
      throw new RangeError(`memory table ${name}: maxRows must be a positive integer or Infinity, got ${String(maxRows)}`);
    }
    this.name = name;
    this.schema = Object.freeze({
      ...schema,
      columns: Object.freeze([...schema.columns]) as string[],
      ...(schema.keyColumns ? { keyColumns: Object.freeze([...schema.keyColumns]) as string[] } : {}),
    });
    this.maxRows = maxRows;
  }

  /** Number of rows held. */
  get count(): number {
    return this.#rows.size;
  }

  /** Rows dropped so far because of `maxRows` (since creation or `clear()`). */
  get dropped(): number {
    return this.#dropped;
  }

  /** True when rows upsert by key (update mode with key columns). */
  get upserts(): boolean {
    return this.schema.mode === 'update' && (this.schema.keyColumns?.length ?? 0) > 0;
  }

  /** Adds a batch of records (used by the memory sink): appended or upserted, per the output mode. */
  insert(records: readonly ResultRecord[]): void {
    let from = 0;
    if (!this.upserts && records.length > this.maxRows) {
      // appended rows beyond maxRows would be copied only to be dropped: skip them (a server's
      // memory sink keeps 1,000 rows of tens of thousands of results per second)
      from = records.length - this.maxRows;
      this.#dropped += from + this.#rows.size;
      this.#nextArrival += from;
      this.#rows.clear();
    }
    for (let i = from; i < records.length; i++) {
      const record = records[i]!;
      const row = plainCopy(record) as ResultRecord;
      if (this.upserts) {
        // set() on an existing key keeps the entry's position: an updated window stays where it was.
        this.#rows.set(this.#keyOf(row), row);
      } else {
        this.#rows.set(this.#nextArrival++, row);
      }
    }
    this.#dropOldest();
  }

  /** All rows in order (arrival order; in update mode, order of each key's first arrival), as a new array. */
  rows(): ResultRecord[] {
    return Array.from(this.#rows.values(), deepFreeze);
  }

  /** Rows for which `predicate` returns true, in order. The predicate sees the record as written (with `window: { start, end }`). */
  where(predicate: (record: ResultRecord, index: number) => boolean): ResultRecord[] {
    return this.rows().filter((record, index) => predicate(record, index));
  }

  /**
   * Every row as a flat object with only `columns` (flat names such as
   * `window_start`), in that order; with no columns, all schema columns.
   * Throws on a column the schema does not have, as a typo would otherwise
   * silently read as null.
   */
  select(...columns: string[]): FlatRecord[] {
    const wanted = columns.length > 0 ? columns : [...this.schema.columns];
    const unknown = wanted.filter((column) => !this.schema.columns.includes(column));
    if (unknown.length > 0) {
      throw new RangeError(
        `memory table ${this.name}: no column ${unknown.map((c) => JSON.stringify(c)).join(', ')}; columns are ${this.schema.columns.join(', ')}`,
      );
    }
    return this.rows().map((record) => pickFlatColumns(record, wanted));
  }

  /**
   * The last record for each key (`schema.keyColumns`), in order of each
   * key's first arrival: the current state of each window in append mode.
   * In update mode the table already holds exactly this. Without key
   * columns, every row.
   */
  latest(): ResultRecord[] {
    if (this.upserts || (this.schema.keyColumns?.length ?? 0) === 0) return this.rows();
    const byKey = new Map<string, ResultRecord>();
    for (const record of this.#rows.values()) byKey.set(this.#keyOf(record), deepFreeze(record));
    return [...byKey.values()];
  }

  /** Removes every row and resets `dropped`. */
  clear(): void {
    this.#rows.clear();
    this.#dropped = 0;
  }

  /** Iterates over the rows in order. */
  [Symbol.iterator](): IterableIterator<ResultRecord> {
    return this.rows()[Symbol.iterator]();
  }

  #keyOf(record: ResultRecord): string {
    const flat = flattenRecord(record);
    // JSON of the value list: unambiguous, unlike joining with a separator that may occur in a value.
    return safeJsonStringify((this.schema.keyColumns ?? []).map((column) => (Object.hasOwn(flat, column) ? flat[column] : null)));
  }

  #dropOldest(): void {
    let excess = this.#rows.size - this.maxRows;
    if (excess <= 0) return;
    // one iterator for the whole run: a fresh keys().next() per row would walk over every entry
    // deleted before it (a Map's deleted slots stay until it rehashes), quadratic in the batch
    for (const key of this.#rows.keys()) {
      if (excess-- <= 0) break;
      this.#rows.delete(key);
      this.#dropped++;
    }
  }
}

/**
 * A deep copy of plain objects and arrays; other values as they are. Rows
 * are copied on insert (the writer may reuse its records) but frozen only
 * when handed out (deepFreeze): Object.freeze costs microseconds per object
 * in V8, and most rows of a busy table are dropped before anyone reads them.
 */
function plainCopy(value: unknown, ancestors: object[] = []): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Dates, Maps and class instances are kept as they are: copying them generically would change their type.
  const isArray = Array.isArray(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!isArray && prototype !== Object.prototype && prototype !== null) return value;
  if (ancestors.includes(value)) return value;
  ancestors.push(value);
  let copy: unknown[] | Record<string, unknown>;
  if (isArray) {
    const array = (value as unknown[]).slice();
    for (let i = 0; i < array.length; i++) array[i] = plainCopy(array[i], ancestors);
    copy = array;
  } else {
    // Spread copies own enumerable properties as data properties (a '__proto__' key stays a plain
    // key) and keeps the copy a fast object; only nested objects and arrays need another pass.
    const object: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in object) {
      const item = object[key];
      if (typeof item === 'object' && item !== null) object[key] = plainCopy(item, ancestors);
    }
    copy = object;
  }
  ancestors.pop();
  return copy;
}

/** Freezes a row made by plainCopy, its nested objects and arrays first; a frozen row is returned as it is. */
function deepFreeze<T>(row: T): T {
  if (typeof row !== 'object' || row === null || Object.isFrozen(row)) return row;
  const prototype: unknown = Object.getPrototypeOf(row);
  // only what plainCopy copied is ours to freeze (a Date or class instance is the writer's)
  if (!Array.isArray(row) && prototype !== Object.prototype && prototype !== null) return row;
  Object.freeze(row);
  for (const key in row) deepFreeze((row as Record<string, unknown>)[key]);
  return row;
}
