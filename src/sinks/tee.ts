/**
 * A sink that writes to several sinks, in order (the configured sink and the
 * server's live hub, for example). Each call awaits every sink.
 */
import type { OutputSchema, ResultRecord, Sink } from './sink.js';

/** Writes every batch to each of `sinks`. */
export function teeSink(...sinks: Sink[]): Sink {
  return {
    description: sinks.map((s) => s.description).join(' + '),
    async open(schema: OutputSchema) { for (const s of sinks) await s.open(schema); },
    async write(records: ResultRecord[]) { for (const s of sinks) await s.write(records); },
    async flush() { for (const s of sinks) await s.flush(); },
    async close() { for (const s of sinks) await s.close(); },
  };
}
