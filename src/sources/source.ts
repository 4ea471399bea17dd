/**
 * What every source gives the engine: batches of parsed rows.
 *
 * A row is a plain object with the event's fields (`timestamp`, `metric`,
 * `value`, …); the engine picks the fields the query names, validates them
 * and turns the batch into wasm input columns. Rows a source cannot even
 * parse (bad JSON, a CSV line with the wrong number of cells) arrive as
 * errors instead, so they are counted with their line numbers.
 */
import type { InputError } from '../engine/inputError.js';
import type { ColumnBatch } from '../engine/columnBatch.js';

/** One event as parsed by a source. */
export type Row = Record<string, unknown>;

/** A batch of rows from a source. */
export interface SourceBatch {
  /** The parsed rows, in source order. */
  rows: Row[];
  /** Origin of each row (1-based line number), parallel to `rows`, when the source has lines. */
  lines?: number[];
  /** Without `lines`: the line of rows[0], the others following consecutively (saves an array per batch). */
  firstLine?: number;
  /** Rows that could not be parsed at all. */
  errors: InputError[];
  /** Events already in columns (server ingest), processed after `rows` in the same core call. */
  columns?: ColumnBatch[];
  /** When the oldest event of the batch was received (performance.now()), for event→result latency. */
  receivedAt?: number;
}

/** A source of events. */
export interface Source {
  /** Short description for progress and errors, e.g. `file:data/cpu.csv`. */
  readonly description: string;
  /** True when the source ends by itself (a file), false for endless ones (a generator without a limit, Kafka). */
  readonly bounded: boolean;
  /**
   * Yields batches of at most `maxRows` rows until the source ends or
   * `signal` aborts. Must not yield empty batches except to report errors.
   */
  batches(maxRows: number, signal: AbortSignal): AsyncIterable<SourceBatch>;
}
