/**
 * What every source gives the engine: batches of events, as raw bytes
 * (files, stdin: the core's scanners parse them), columns (server ingest)
 * or parsed rows (the object API: arrays, generators, push sources).
 *
 * A row is a plain object with the event's fields (`timestamp`, `metric`,
 * `value`, …); the engine picks the fields the query names, validates them
 * and turns the batch into wasm input columns. Rows a source cannot even
 * read arrive as errors instead, so they are counted with their place.
 */
import type { InputError } from './inputError.js';
import type { ColumnBatch } from './columnBatch.js';

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
  /** Raw input for the core's byte scanners instead of parsed rows (then `rows` is empty). */
  bytes?: ByteChunk;
  /**
   * Where a resumable source stands after this batch (JSON): passed back to
   * batches() after a restart, it continues with the next batch. The
   * checkpoint hook saves it with the state that covers it.
   */
  position?: SourcePosition;
}

/** A resumable source's place in its input, as it defines it (JSON). */
export type SourcePosition = Record<string, unknown>;

/**
 * A chunk of raw input. A stream (a file, stdin) arrives as chunks cut
 * anywhere, numbered on from the previous chunk, the last one with `end`;
 * a `whole` document (an HTTP body) is complete in itself, its lines
 * numbered from 1.
 */
export interface ByteChunk {
  data: Uint8Array;
  format: ByteFormat;
  /** The last chunk of a stream. */
  end?: boolean;
  /** A complete document on its own. */
  whole?: boolean;
  /** Longest accepted line in bytes (default DEFAULT_MAX_LINE_BYTES, 1 MiB). */
  maxLineBytes?: number;
  /**
   * The number of this chunk's first line, when a resumed stream skips lines
   * an earlier run read (a file resumed at an offset); the chunk must start a
   * line. Default: numbered on from the previous chunk.
   */
  line?: number;
}

/** Formats the core's byte scanners read ('json': one whole document, an array of events or one event). */
export type ByteFormat = 'ndjson' | 'csv' | 'json';

/** A source of events. */
export interface Source {
  /** Short description for progress and errors, e.g. `file:data/cpu.csv`. */
  readonly description: string;
  /** True when the source ends by itself (a file), false for endless ones (a generator without a limit, Kafka). */
  readonly bounded: boolean;
  /**
   * Yields batches of at most `maxRows` rows until the source ends or
   * `signal` aborts. Must not yield empty batches except to report errors.
   * A `resumable` source given `from` (a position it put on a batch)
   * continues after that batch.
   */
  batches(maxRows: number, signal: AbortSignal, from?: SourcePosition): AsyncIterable<SourceBatch>;
  /** True when every batch carries a `position` and batches() resumes from one: a query over it can checkpoint. */
  readonly resumable?: boolean;
  /**
   * Set when the source is a recording to replay at (a multiple of) its
   * recorded pace: the query releases each event when the wall clock
   * reaches its event time / speed (see replay.ts). Needs `bytes` batches.
   */
  readonly replaySpeed?: number;
}
