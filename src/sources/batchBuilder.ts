/**
 * Collecting parsed rows and rejected lines into SourceBatches of bounded
 * size. Shared by every source so they all count the same way: a batch is
 * full when rows + errors reach `maxRows`. Errors count too, so a file of
 * ten million bad lines still arrives in bounded batches instead of one
 * unbounded error list. No Node-only imports: the array source uses it in
 * browsers.
 */
import { clipRaw, type InputError } from '../engine/inputError.js';
import type { Row, SourceBatch } from '../engine/source.js';

/** Throws a RangeError unless `maxRows` is a usable batch size. */
export function checkMaxRows(maxRows: number): void {
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`batches(): maxRows must be an integer ≥ 1, got ${maxRows}`);
  }
}

/** Accumulates one batch at a time, with the line number of each row. */
export class BatchBuilder {
  private rows: Row[] = [];
  private lines: number[] = [];
  private errors: InputError[] = [];

  /** @param maxRows the batch size (rows + errors) */
  constructor(readonly maxRows: number) {
    checkMaxRows(maxRows);
  }

  /** Rows plus errors collected so far. */
  get size(): number {
    return this.rows.length + this.errors.length;
  }

  /** True when nothing has been collected. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** True when the batch should be yielded before adding more. */
  get isFull(): boolean {
    return this.size >= this.maxRows;
  }

  /** Adds a parsed row from line `line`. */
  addRow(row: Row, line: number): void {
    this.rows.push(row);
    this.lines.push(line);
  }

  /** Adds a rejected row, clipping its raw text. */
  addError(source: string, line: number | undefined, reason: string, raw?: string): void {
    const error: InputError = { source, reason };
    if (line !== undefined) error.line = line;
    if (raw !== undefined) error.raw = clipRaw(raw);
    this.errors.push(error);
  }

  /** Returns the collected batch and starts a new one. */
  take(): SourceBatch {
    const batch: SourceBatch = { rows: this.rows, lines: this.lines, errors: this.errors };
    this.rows = [];
    this.lines = [];
    this.errors = [];
    return batch;
  }
}
