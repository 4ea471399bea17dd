/**
 * The text formats line-based sources (files, stdin) understand, and the
 * parser for each. Both parsers read one line at a time into a batch.
 */
import { CsvParser } from './csv.js';
import { NdjsonParser } from './ndjson.js';
import type { Line } from './lines.js';
import type { BatchBuilder } from './batchBuilder.js';

/** A line-based text format: CSV with a header row, or one JSON object per line. */
export type LineFormat = 'csv' | 'ndjson';

/** Every accepted format name, for option validation and error messages. */
export const LINE_FORMATS: readonly LineFormat[] = ['csv', 'ndjson'];

/** Reads lines of one format into batches. */
export interface LineParser {
  /** Adds the line's row or error to the batch (blank lines and the CSV header add nothing). */
  accept(line: Line, batch: BatchBuilder): void;
}

/** A fresh parser (parsers keep state, such as the CSV header) for one pass over a source. */
export function createLineParser(format: LineFormat, source: string): LineParser {
  return format === 'csv' ? new CsvParser(source) : new NdjsonParser(source);
}

/** Throws a RangeError naming the option unless `format` is a known format. */
export function checkLineFormat(format: unknown, option = 'format'): LineFormat {
  if (typeof format === 'string' && (LINE_FORMATS as readonly string[]).includes(format)) return format as LineFormat;
  throw new RangeError(`${option}: expected one of ${LINE_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${JSON.stringify(format)}`);
}
