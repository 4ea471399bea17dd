/**
 * A row eddy could not use, with where it came from. Bad input never stops a
 * query: it is counted, the first few are reported, all can go to a
 * dead-letter sink, and the rest of the batch is processed.
 */
/** Why a row was rejected, for counting by reason. */
export type InputErrorKind =
  | 'malformed' // the source could not parse the row (bad JSON, wrong CSV cell count, line too long)
  | 'missing_field' // a field the query needs is absent or null
  | 'not_a_number' // the value is not numeric
  | 'non_finite' // the value is NaN or ±Infinity
  | 'bad_timestamp' // the event time cannot be parsed
  | 'bad_key'; // a grouping field holds an object or array

export interface InputError {
  /** Reason category; sources that only parse leave it out (counted as 'malformed'). */
  kind?: InputErrorKind;
  /** Where the row came from: a file path, 'stdin', 'generator', a topic-partition. */
  source: string;
  /** 1-based line number in the source, when the source has lines (the CSV header is line 1). */
  line?: number;
  /** Byte offset or message offset, when the source has one and no line. */
  offset?: number;
  /** Why the row was rejected, naming the field: "field 'value': not a number ("abc")". */
  reason: string;
  /** The raw row text, cut to 200 characters. */
  raw?: string;
}

/** Longest raw text kept on an InputError. */
export const MAX_RAW_CHARS = 200;

/** Cuts raw input for error reports. */
export function clipRaw(raw: string): string {
  return raw.length <= MAX_RAW_CHARS ? raw : `${raw.slice(0, MAX_RAW_CHARS)}…`;
}
