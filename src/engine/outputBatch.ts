/**
 * Output batches made of record objects (sequence matches, user code, tests)
 * and the one way the runtimes hand a batch to a sink: from its columns when
 * the sink writes bytes, as records otherwise.
 */
import type { OutputBatch, ResultRecord, Sink } from './sink.js';
import { safeJsonStringify } from './safeJson.js';
import { ndjsonText } from './ndjsonText.js';
import { csvLine } from './csvFormat.js';
import { flatRow } from './flatten.js';

/** An OutputBatch over records that already exist. */
export function recordBatch(records: ResultRecord[]): OutputBatch {
  return {
    count: records.length,
    records: () => records,
    head: (n) => records.slice(0, n),
    jsonLines: () => records.map(safeJsonStringify),
    ndjson: () => ndjsonText(records),
    csv: (columns) => {
      let text = '';
      for (const r of records) text += csvLine(flatRow(r, columns));
      return text;
    },
  };
}

/** Writes a batch to a sink: from its columns when the sink can take them, else as records. */
export function writeBatch(sink: Sink, batch: OutputBatch): Promise<void> | void {
  return sink.writeBatch ? sink.writeBatch(batch) : sink.write(batch.records());
}
