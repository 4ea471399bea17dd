/**
 * A sink that writes to several sinks, in order (the configured sink and the
 * server's live hub, for example). Each call awaits every sink.
 */
import type { OutputBatch, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { writeBatch } from '../engine/outputBatch.js';

/** Writes every batch to each of `sinks`. */
export function teeSink(...sinks: Sink[]): Sink {
  return {
    description: sinks.map((s) => s.description).join(' + '),
    async open(schema: OutputSchema) {
      for (const s of sinks) await s.open(schema);
    },
    async write(records: ResultRecord[]) {
      for (const s of sinks) await s.write(records);
    },
    // each sink takes the batch its way (bytes from the columns, or the records, built once for all)
    async writeBatch(batch: OutputBatch) {
      for (const s of sinks) await writeBatch(s, batch);
    },
    async flush() {
      for (const s of sinks) await s.flush();
    },
    async close() {
      for (const s of sinks) await s.close();
    },
  };
}
