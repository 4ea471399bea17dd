/**
 * How a query runtime hands one batch's outputs to its sinks: each
 * non-empty batch to its sink (from its columns when the sink writes bytes,
 * as records otherwise), then that sink flushed, so a batch is durable
 * before the next one (and before a checkpoint) is taken.
 */
import type { OutputBatch, Sink } from './sink.js';
import { writeBatch } from './outputBatch.js';

/** The sinks of a query's outputs (see QuerySinks). */
export interface OutputSinks {
  results: Sink;
  late?: Sink;
  matches?: Sink;
}

/** Writes and flushes results, late events and matches, each to its sink. */
export async function writeOutputs(sinks: OutputSinks, results: OutputBatch, late: OutputBatch, matches: OutputBatch): Promise<void> {
  for (const [sink, batch] of [
    [sinks.results, results],
    [sinks.late, late],
    [sinks.matches, matches],
  ] as const) {
    if (sink && batch.count > 0) {
      await writeBatch(sink, batch);
      await sink.flush();
    }
  }
}
