/**
 * NDJSON text of result records, the one encoder every NDJSON writer of
 * records shares (the file sink, the console sink's NDJSON format, batches
 * made of records): one `safeJsonStringify(record)` line per record, each
 * ended by `\n`. The core's batches write the same bytes from their columns
 * (`OutputBatch.ndjson()`, checked by test/engine/ndjsonBytes.property.test.ts).
 */
import type { ResultRecord } from './sink.js';
import { safeJsonStringify } from './safeJson.js';

/** The records as NDJSON: `safeJsonStringify(record) + '\n'` each. */
export function ndjsonText(records: readonly ResultRecord[]): string {
  let text = '';
  for (const record of records) text += safeJsonStringify(record) + '\n';
  return text;
}
