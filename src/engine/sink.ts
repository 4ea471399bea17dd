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

/**
 * One batch of output records of one kind. The engine's batches hold the
 * core's output columns and build record objects only when `records()` or
 * `head()` is called; byte sinks take the text straight from the columns,
 * in exactly the format of the records (`ndjson`, `csv`, `jsonLines`).
 */
export interface OutputBatch {
  /** Records in the batch. */
  readonly count: number;
  /** The records (built on the first call; later calls return the same array). */
  records(): ResultRecord[];
  /** The first `n` records (building only those, unless all are built already). */
  head(n: number): ResultRecord[];
  /** Each record's JSON text, as `safeJsonStringify(record)`. */
  jsonLines(): string[];
  /** All records as NDJSON: `safeJsonStringify(record) + '\n'` each. */
  ndjson(): string;
  /** All records as CSV lines over `columns`: `csvLine(flatRow(record, columns))` each. */
  csv(columns: readonly string[]): string;
  /**
   * Window batches from the core: record `r`'s window bounds (ISO-8601, as
   * in the record) and grouping values, read from the columns.
   */
  windowAt?(r: number): { start: string; end: string; values: readonly unknown[] };
  /**
   * Record `r`'s RECORD_* flags, read from the columns, so a router (the
   * live hub) need not build it. Absent: read them from records() (recordFlags).
   */
  flagsAt?(r: number): number;
  /** Record `r`'s key text (its grouping values joined by U+001F), from the columns. */
  keyAt?(r: number): string;
}

/** The record is an anomaly: is_anomaly true, or anomaly_score ≥ ANOMALY_SCORE_ALERT. */
export const RECORD_ANOMALY = 1;
/** The record carries a Holt forecast. */
export const RECORD_FORECAST = 2;
/** The record matched threshold patterns (a non-empty detected_patterns). */
export const RECORD_PATTERNS = 4;
/** anomaly_score at or above this makes a record an anomaly (nupic's red zone). */
export const ANOMALY_SCORE_ALERT = 0.5;

/** The RECORD_* flags of a built record. */
export function recordFlags(r: ResultRecord): number {
  let flags = 0;
  if (r.is_anomaly === true || (typeof r.anomaly_score === 'number' && r.anomaly_score >= ANOMALY_SCORE_ALERT)) flags |= RECORD_ANOMALY;
  if ('forecast' in r) flags |= RECORD_FORECAST;
  if (Array.isArray(r.detected_patterns) && r.detected_patterns.length > 0) flags |= RECORD_PATTERNS;
  return flags;
}

/** A destination for results. */
export interface Sink {
  /** Short description for progress, e.g. `file:out.ndjson`. */
  readonly description: string;
  /** Called once before the first write, with the columns of the records to come. */
  open(schema: OutputSchema): Promise<void> | void;
  /** Writes one engine batch of records (never called with an empty array). */
  write(records: ResultRecord[]): Promise<void> | void;
  /**
   * Writes one engine batch from its columns (never empty). Sinks that write
   * bytes implement it so no record object is built; the others get
   * `write(batch.records())` (see writeBatch in outputBatch.ts).
   */
  writeBatch?(batch: OutputBatch): Promise<void> | void;
  /** Makes everything written so far durable/visible (end of batch, checkpoint). */
  flush(): Promise<void> | void;
  /** Flushes and releases the sink; no writes after. */
  close(): Promise<void> | void;
}
