/**
 * What every sink takes from the engine: batches of result records.
 *
 * Records are plain JSON-ready objects named as Spark would write them
 * (see src/engine/records.ts): timestamps are ISO-8601 UTC strings with
 * milliseconds, a window is `{ start, end }`, undefined numbers are null.
 */

/** One output record. */
export type ResultRecord = Record<string, unknown>;

/** The kinds of output a query produces. */
export type OutputKind = 'windows' | 'late' | 'events' | 'matches' | 'errors';

/** Column order of a kind of record, for tabular sinks (CSV, console). */
export interface OutputSchema {
  kind: OutputKind;
  /**
   * Flat column names in order. A nested `window` object is flattened to
   * `window_start`, `window_end`; every other column is a top-level field.
   */
  columns: string[];
  /**
   * The query's output mode, as in Spark: `append` emits each window once,
   * when it is final; `update` re-emits a window whenever its aggregate
   * changes. Sinks that keep state (the memory table) upsert in update mode;
   * append-only sinks (files) write every version, a changelog.
   * Absent means `append`.
   */
  mode?: OutputMode;
  /**
   * Flat column names that identify a row, e.g.
   * `['window_start', 'window_end', 'metric']`: the upsert key in update mode
   * and the key of `MemoryTable.latest()`. Absent or empty means every record
   * is a row of its own.
   */
  keyColumns?: string[];
}

/** How a query emits results: each row once when final, or every change. */
export type OutputMode = 'append' | 'update';

/** A destination for results. */
export interface Sink {
  /** Short description for progress, e.g. `file:out.ndjson`. */
  readonly description: string;
  /** Called once before the first write, with the columns of the records to come. */
  open(schema: OutputSchema): Promise<void> | void;
  /** Writes one engine batch of records (never called with an empty array). */
  write(records: ResultRecord[]): Promise<void> | void;
  /** Makes everything written so far durable/visible (end of batch, checkpoint). */
  flush(): Promise<void> | void;
  /** Flushes and releases the sink; no writes after. */
  close(): Promise<void> | void;
}
