/**
 * Progress of a running query, shaped like Spark's StreamingQueryProgress
 * (`query.lastProgress`), plus the late and error counts the seed monitors.
 */

/** Time spent in each phase of one batch, in ms. */
export interface BatchDurations {
  /** Waiting for the source to deliver the batch. */
  getBatch: number;
  /** Validating rows and filling the wasm input columns. */
  encode: number;
  /** The one call into the wasm core. */
  process: number;
  /** Building output records and writing them to the sinks. */
  write: number;
  /** encode + process + write: the engine's work on the batch. */
  triggerExecution: number;
}

/** Progress of one batch. */
export interface QueryProgress {
  id: string;
  runId: string;
  name: string;
  /** When the batch started (ISO-8601). */
  timestamp: string;
  batchId: number;
  /** Rows the source delivered in this batch, valid or not. */
  numInputRows: number;
  /** numInputRows / wall time since the previous batch started: how fast data arrives. */
  inputRowsPerSecond: number;
  /** numInputRows / triggerExecution: how fast the engine works through it. */
  processedRowsPerSecond: number;
  /** The engine's time on this batch (= durationMs.triggerExecution). */
  batchDurationMs: number;
  durationMs: BatchDurations;
  /** Event→result latency: from receipt of the batch's oldest event to its results being written (ms); null when the source does not time receipt. */
  latencyMs: number | null;
  /** Watermark after the batch (ISO-8601), null before the first event. */
  watermark: string | null;
  /** Late events in this batch (routed to the late output, not folded into windows). */
  lateRows: number;
  /** Rejected rows in this batch (bad input). */
  errors: number;
  /** Window records emitted by this batch. */
  numOutputRows: number;
  /** Distinct keys seen so far. */
  numKeys: number;
  /** Keys holding data in open windows. */
  activeKeys: number;
  /** Bytes of per-key window state allocated in the core. */
  stateBytes: number;
  /** Bytes of wasm linear memory. */
  wasmMemoryBytes: number;
  /** Totals since the query started. */
  totals: { inputRows: number; processedRows: number; lateRows: number; errors: number; outputRows: number };
  sources: { description: string; numInputRows: number; inputRowsPerSecond: number; processedRowsPerSecond: number }[];
  sink: { description: string; numOutputRows: number };
}

/** Most progress entries kept in `recentProgress` (as Spark's default of 100). */
export const RECENT_PROGRESS_LIMIT = 100;

/** Rate in rows/s, 0 when no time passed. */
export function perSecond(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : 0;
}
