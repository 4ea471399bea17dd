/**
 * Events that are already columns: for callers that hold typed arrays
 * (a browser collecting metrics, a decoder of a binary format, a
 * benchmark). Each batch is copied into the core with typed-array copies
 * and its key dictionary mapped once per new key — no object per event.
 * No Node-only imports.
 *
 * A batch's `key[i]` indexes its key dictionary: `keyValues` (the grouping
 * values of each key, numbers staying numbers), `keys` (text, several
 * grouping values joined by U+001F) or a `keyTable` shared by all batches.
 * Event time is epoch milliseconds. Rows whose time is not an event time,
 * whose value is not finite or whose key has the wrong shape are rejected
 * by row, as every source's rows are.
 */
import type { ColumnBatch } from '../engine/columnBatch.js';
import type { Source, SourceBatch } from '../engine/source.js';
import { Breather } from '../engine/wait.js';

/** A bounded source over column batches, yielded in order. */
export class ColumnSource implements Source {
  readonly bounded = true;

  constructor(
    private readonly batches_: Iterable<ColumnBatch>,
    readonly description = 'columns',
  ) {}

  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const breather = new Breather();
    let pending: ColumnBatch[] = [];
    let rows = 0;
    for (const batch of this.batches_) {
      if (signal.aborted) return;
      // batches are whole: several small ones share one core call, a large one goes alone
      if (pending.length > 0 && rows + batch.rows > maxRows) {
        yield { rows: [], errors: [], columns: pending };
        await breather.maybe();
        pending = [];
        rows = 0;
      }
      pending.push(batch);
      rows += batch.rows;
    }
    if (pending.length > 0 && !signal.aborted) yield { rows: [], errors: [], columns: pending };
  }
}

/** Creates a {@link ColumnSource}: `columnSource([{ rows, ts, value, key, keys }])`. */
export function columnSource(batches: Iterable<ColumnBatch>, description?: string): ColumnSource {
  return new ColumnSource(batches, description);
}
