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
export type OutputKind = 'windows' | 'late';

/** Column order of a kind of record, for tabular sinks (CSV, console). */
export interface OutputSchema {
  kind: OutputKind;
  /**
   * Flat column names in order. A nested `window` object is flattened to
   * `window_start`, `window_end`; every other column is a top-level field.
   */
  columns: string[];
}

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
