/**
 * What the core's status codes mean (codes: assembly/abi.ts, "Status
 * codes"). Every message about a rejected core call is written here once;
 * WasmCore and CoreScanner turn a code into an error with statusError().
 *
 * Codes a caller can cause by configuring the core (window sizes, stage
 * settings, patterns, scanner fields) become RangeError, as every other
 * bad-setting error of eddy; the others (a snapshot that cannot be read, a
 * batch larger than the core takes) become plain Error with the same text.
 */
import {
  E_BATCH_TOO_LARGE,
  E_CSV_COLUMNS,
  E_CSV_MAP,
  E_DOCUMENT_INVALID,
  E_HOLT,
  E_INPUT_RANGE,
  E_PATTERN_COUNT,
  E_PATTERN_INDEX,
  E_PATTERN_MAX_PARTIALS,
  E_PATTERN_STEPS,
  E_PATTERN_STEP_INDEX,
  E_PATTERN_TYPE,
  E_PATTERN_WITHIN,
  E_SCAN_SLOT,
  E_SCAN_TYPES_FULL,
  E_SNAPSHOT_BODY,
  E_SNAPSHOT_HEADER,
  E_STAGE,
  E_THRESHOLD_INDEX,
  E_WINDOW_DELAY,
  E_WINDOW_FIELD,
  E_WINDOW_LATENESS,
  E_WINDOW_MODE,
  E_WINDOW_PANES,
  E_WINDOW_SIZE,
  E_WINDOW_SLIDE,
  E_ZSCORE,
  MAX_THRESHOLDS,
  STATUS_OK,
} from '../../assembly/abi.js';

/** The message of each status code. */
export const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  [E_WINDOW_SIZE]: 'window size must be a whole number of milliseconds ≥ 1',
  [E_WINDOW_SLIDE]: 'window slide must be a whole number of milliseconds between 1 and the window size',
  [E_WINDOW_DELAY]: 'watermark delay must be a finite duration ≥ 0',
  [E_WINDOW_LATENESS]: 'allowed lateness must be a finite duration ≥ 0',
  [E_WINDOW_PANES]:
    'the window needs more than 65536 panes per key (size + delay + lateness divided by gcd(size, slide)): ' + 'use a larger slide or a shorter delay',
  [E_WINDOW_MODE]: 'output mode must be append or update',
  [E_STAGE]: 'an analytics stage is 0 (events) or 1 (window results)',
  [E_ZSCORE]: 'z-score settings rejected: rows must be 2 … 1048576 and a time window > 0',
  [E_HOLT]: 'forecast settings rejected: alpha in (0, 1], beta and gamma in [0, 1], horizon ≥ 1, season slots 0 … 1048576',
  [E_THRESHOLD_INDEX]: `at most ${MAX_THRESHOLDS} threshold patterns`,
  [E_WINDOW_FIELD]: 'only count, sum, avg, stddev, min and max of a window can be scored',
  [E_PATTERN_COUNT]: 'at most 1024 patterns',
  [E_PATTERN_MAX_PARTIALS]: 'maxPartials must be a whole number from 1 to 65536',
  [E_PATTERN_INDEX]: 'pattern index out of range',
  [E_PATTERN_STEPS]: 'a pattern has 2 to 32 steps',
  [E_PATTERN_WITHIN]: "'within' must be a duration ≥ 0",
  [E_PATTERN_STEP_INDEX]: 'step index out of range',
  [E_PATTERN_TYPE]: 'type id must be ≥ 0',
  [E_SNAPSHOT_HEADER]: 'not an eddy snapshot (bad header or version)',
  [E_SNAPSHOT_BODY]: 'snapshot is truncated or corrupt',
  [E_BATCH_TOO_LARGE]: 'more rows in one call than the core takes in one batch',
  [E_INPUT_RANGE]: 'rows out of the range of the input columns',
  [E_SCAN_SLOT]: 'scanner field slot out of range',
  [E_SCAN_TYPES_FULL]: 'too many event types in sequence patterns for the byte scanners (at most 256)',
  [E_CSV_COLUMNS]: 'a CSV header cannot have a negative number of columns',
  [E_CSV_MAP]: 'CSV column or field slot out of range',
  [E_DOCUMENT_INVALID]: 'the JSON document is not valid',
};

/** Codes the caller's settings cause: reported as RangeError. */
const SETTING_CODES = new Set([
  E_WINDOW_SIZE,
  E_WINDOW_SLIDE,
  E_WINDOW_DELAY,
  E_WINDOW_LATENESS,
  E_WINDOW_PANES,
  E_WINDOW_MODE,
  E_STAGE,
  E_ZSCORE,
  E_HOLT,
  E_THRESHOLD_INDEX,
  E_WINDOW_FIELD,
  E_PATTERN_COUNT,
  E_PATTERN_MAX_PARTIALS,
  E_PATTERN_INDEX,
  E_PATTERN_STEPS,
  E_PATTERN_WITHIN,
  E_PATTERN_STEP_INDEX,
  E_PATTERN_TYPE,
  E_SCAN_SLOT,
  E_SCAN_TYPES_FULL,
  E_CSV_COLUMNS,
  E_CSV_MAP,
]);

/** An error from a status code the core returned; `status` is the code. */
export class CoreStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A setting the core refused (a RangeError, so the CLI reports it as a configuration error); `status` is the code. */
export class CoreSettingError extends RangeError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where the message of a failed call says more: `what` before it (`pattern 'x': …`), `detail` after it (` (got …)`). */
export interface StatusContext {
  what?: string;
  detail?: string;
}

/** The error for status `code` (never STATUS_OK). */
export function statusError(code: number, context: StatusContext = {}): Error {
  const text = STATUS_MESSAGES[code] ?? `the core rejected the call (status ${code})`;
  const message = `${context.what === undefined ? '' : `${context.what}: `}${text}${context.detail ?? ''}`;
  return SETTING_CODES.has(code) ? new CoreSettingError(code, message) : new CoreStatusError(code, message);
}

/** Throws statusError(code) unless `code` is STATUS_OK. */
export function checkStatus(code: number, context?: StatusContext): void {
  if (code !== STATUS_OK) throw statusError(code, context);
}

/** A value-returning export's result: the value when ≥ 0, else throws for the negated status code. */
export function checkValue(result: number, context?: StatusContext): number {
  if (result < 0) throw statusError(-result, context);
  return result;
}
