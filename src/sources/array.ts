/**
 * Events from an in-memory array: for tests, benchmarks and embedding in a
 * browser page. No Node-only imports here (no node:*, Buffer or process).
 *
 * Rows are passed through as they are (not copied); row i of the array has
 * line number i + 1. An element that is not a plain object (null, a number,
 * an array) is reported by the engine as a malformed row with that line.
 */
import { checkMaxRows } from './batchBuilder.js';
import type { Row, Source, SourceBatch, SourcePosition } from '../engine/source.js';
import { Breather } from '../engine/wait.js';

/** Options of {@link arraySource}. */
export interface ArraySourceOptions {
  /** Largest batch, further capping the engine's `maxRows`; default: maxRows only. */
  batchSize?: number;
  /** Description for progress and errors; default 'array'. */
  description?: string;
}

/** An array of rows as a bounded source. */
export class ArraySource implements Source {
  /** 'array' unless given. */
  readonly description: string;
  /** An array ends. */
  readonly bounded = true;
  /** Batches carry `{ nextRow }`: a query over an array can checkpoint and resume. */
  readonly resumable = true;
  private readonly batchSize: number | undefined;

  /** Keeps a reference to `rows`: later changes to the array before reading are seen. */
  constructor(
    private readonly rows: readonly unknown[],
    options: ArraySourceOptions = {},
  ) {
    if (!Array.isArray(rows)) throw new TypeError('arraySource(): expected an array of rows');
    this.description = options.description ?? 'array';
    this.batchSize = options.batchSize;
    if (this.batchSize !== undefined && (!Number.isInteger(this.batchSize) || this.batchSize < 1)) {
      throw new RangeError(`batchSize: expected an integer ≥ 1, got ${String(options.batchSize)}`);
    }
  }

  /**
   * Yields the rows in order, in batches of at most min(maxRows, batchSize),
   * as slices with `firstLine` (no per-row copying or checking: the engine's
   * encoder rejects elements that are not objects, with their line).
   */
  async *batches(maxRows: number, signal: AbortSignal, resumeFrom?: SourcePosition): AsyncGenerator<SourceBatch> {
    checkMaxRows(maxRows);
    const size = Math.min(maxRows, this.batchSize ?? maxRows);
    // Large arrays make a loop that never waits for I/O; let timers (and so an abort) run.
    const breather = new Breather();
    const rows = this.rows;
    for (let from = startRow(resumeFrom, rows.length); from < rows.length; from += size) {
      if (signal.aborted) return;
      const to = Math.min(rows.length, from + size);
      yield { rows: rows.slice(from, to) as Row[], firstLine: from + 1, errors: [], position: { nextRow: to } };
      await breather.maybe();
    }
  }
}

/** The first row to read: 0, or where a saved position says the last batch ended. */
function startRow(position: SourcePosition | undefined, length: number): number {
  if (position === undefined) return 0;
  const next = position.nextRow;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > length) {
    throw new RangeError(`cannot resume an array of ${length} rows at ${JSON.stringify(position)}`);
  }
  return next;
}

/** Creates an {@link ArraySource}: `arraySource([{ timestamp: 0, metric: 'cpu', value: 1 }])`. */
export function arraySource(rows: readonly Row[], options: ArraySourceOptions = {}): ArraySource {
  return new ArraySource(rows, options);
}
