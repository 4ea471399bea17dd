/**
 * A sink that keeps results in a named in-memory table (Spark's memory sink
 * with `queryName`), to query with `memoryTable(name)` while or after the
 * query runs. See memoryTable.ts for the append and update semantics.
 * Browser-safe: no Node imports.
 */
import type { OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { createMemoryTable, type MemoryTable } from './memoryTable.js';

/** Options of `memorySink`. */
export interface MemorySinkOptions {
  /** Most rows kept; the oldest are dropped and counted in `dropped`. Default Infinity. */
  maxRows?: number;
}

/**
 * A sink writing to the memory table `name`. The table is created (replacing
 * any table of that name) at `open()`, and stays registered after `close()`
 * until `dropMemoryTable(name)`. Throws at once on an empty name or an
 * invalid `maxRows`.
 */
export function memorySink(name: string, options: MemorySinkOptions = {}): Sink {
  const maxRows = options.maxRows ?? Infinity;
  if (typeof name !== 'string' || name === '') throw new TypeError('memory sink: the table name must be a non-empty string');
  if (!(maxRows === Infinity || (Number.isInteger(maxRows) && maxRows >= 1))) {
    throw new RangeError(`memory sink ${name}: maxRows must be a positive integer or Infinity, got ${String(maxRows)}`);
  }
  let table: MemoryTable | undefined;
  return {
    description: `memory:${name}`,
    open(schema: OutputSchema): void {
      table = createMemoryTable(name, schema, maxRows);
    },
    write(records: ResultRecord[]): void {
      if (table === undefined) throw new Error(`memory sink ${name}: write before open`);
      // Writes go to this sink's own table even if the name was dropped or reused meanwhile.
      table.insert(records);
    },
    flush(): void {
      // Rows are visible as soon as write() returns.
    },
    close(): void {
      // The table outlives the query, to be inspected after it stops.
    },
  };
}
