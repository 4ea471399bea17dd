/**
 * The text formats line-based sources (files, stdin) understand; the core's
 * scanners read both (assembly/ndjsonScan.ts, assembly/csvScan.ts).
 */
/** A line-based text format: CSV with a header row, or one JSON object per line. */
export type LineFormat = 'csv' | 'ndjson';

/** Every accepted format name, for option validation and error messages. */
export const LINE_FORMATS: readonly LineFormat[] = ['csv', 'ndjson'];

/** Throws a RangeError naming the option unless `format` is a known format. */
export function checkLineFormat(format: unknown, option = 'format'): LineFormat {
  if (typeof format === 'string' && (LINE_FORMATS as readonly string[]).includes(format)) return format as LineFormat;
  throw new RangeError(`${option}: expected one of ${LINE_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${JSON.stringify(format)}`);
}
