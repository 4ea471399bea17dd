/**
 * Events from an in-memory array: for tests, benchmarks and embedding in a
 * browser page. No Node-only imports here (no node:*, Buffer or process).
 *
 * Rows are passed through as they are (not copied); row i of the array has
 * line number i + 1. An element that is not a plain object (null, a number,
 * an array) is reported as an InputError instead of a row.
 */
import { BatchBuilder } from './batchBuilder.js';
import type { Row, Source, SourceBatch } from './source.js';
import { Breather } from './wait.js';

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
   * Yields the rows in order, in batches of at most min(maxRows, batchSize).
   * A run of valid rows is handed over as one slice with `firstLine` (no
   * per-row copying); a batch holding a bad element falls back to per-row
   * collection so the bad one becomes an error with its line.
   */
  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const size = Math.min(maxRows, this.batchSize ?? maxRows);
    const batch = new BatchBuilder(size);
    // Large arrays make a loop that never waits for I/O; let timers (and so an abort) run.
    const breather = new Breather();
    const rows = this.rows;
    for (let from = 0; from < rows.length; from += size) {
      if (signal.aborted) return;
      const to = Math.min(from + size, rows.length);
      let clean = true;
      for (let i = from; i < to; i++) {
        if (!isRow(rows[i])) {
          clean = false;
          break;
        }
      }
      if (clean) {
        yield { rows: rows.slice(from, to) as Row[], firstLine: from + 1, errors: [] };
      } else {
        for (let i = from; i < to; i++) {
          const row = rows[i];
          if (isRow(row)) batch.addRow(row, i + 1);
          else batch.addError(this.description, i + 1, `expected an object, got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row}`, safeJson(row));
        }
        yield batch.take();
      }
      await breather.maybe();
    }
  }
}

function isRow(row: unknown): row is Row {
  return typeof row === 'object' && row !== null && !Array.isArray(row);
}

/** Creates an {@link ArraySource}: `arraySource([{ timestamp: 0, metric: 'cpu', value: 1 }])`. */
export function arraySource(rows: readonly Row[], options: ArraySourceOptions = {}): ArraySource {
  return new ArraySource(rows, options);
}

/** JSON text of a value for an error report, or its String() form when JSON cannot show it. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
