/**
 * The common ending of the resume tests: a query that may stop after N
 * batches and may checkpoint into a store after every batch,
 * started and awaited to its end, whatever ended it.
 */
import type { DataStreamWriter } from '../../src/engine/api.js';
import type { StreamingQuery } from '../../src/engine/query.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import type { StateStore } from '../../src/engine/stateStore.js';

/** How the run ends and whether it saves. */
export interface ResumableRunOptions {
  /** Checkpoint into this store after every batch (the time-based save is pushed out of the test's reach). */
  store?: StateStore;
  /** Stop the query once this many batches with input have been processed. */
  stopAfter?: number;
  /** Ask the stop to flush the open windows (default: it does not). */
  flushOnStop?: boolean;
}

/** Starts `writer` with the options' stop and checkpoint, awaits its end (a failure is left in `query.exception`) and returns the query. */
export async function runResumable(writer: DataStreamWriter, opts: ResumableRunOptions = {}): Promise<StreamingQuery> {
  let query: StreamingQuery | undefined;
  let w = writer.onProgress((p) => {
    if (opts.stopAfter !== undefined && p.numInputRows > 0 && p.batchId + 1 >= opts.stopAfter) void query?.stop({ flush: opts.flushOnStop ?? false });
  });
  if (opts.store) w = w.checkpoint(opts.store, { everyBatches: 1, intervalMs: 3_600_000 });
  query = w.start();
  await query.awaitTermination().catch(() => undefined);
  return query;
}

/** Window records in a stable order (by window, then metric), so runs split differently compare equal. */
export function sortedByWindow(records: readonly ResultRecord[]): ResultRecord[] {
  const key = (r: ResultRecord): string => JSON.stringify([(r as { window: unknown }).window, r.metric]);
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
