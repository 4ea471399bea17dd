/**
 * The core's ABI facts, one place for both sides: the wasm core (compiled by
 * AssemblyScript) and the host (compiled by TypeScript: src/core/exports.ts
 * re-exports them) import this file, so a record layout, a width or the ABI
 * version cannot drift apart. Plain integer constants only, valid in both
 * languages (an integer literal is an i32 in AssemblyScript).
 *
 * Output records are f64 fields; an index here is a field number (byte
 * offset = index × 8).
 */

/** ABI version; the host refuses a core that reports another (core_abi_version). */
export const CORE_ABI_VERSION = 8;

/** Window result record: key id, start/end epoch ms, count, sum, avg, stddev (NaN below two values), min, max. */
export const W_KEY = 0, W_START = 1, W_END = 2, W_COUNT = 3, W_SUM = 4, W_AVG = 5, W_STDDEV = 6, W_MIN = 7, W_MAX = 8;
/** f64 fields per window record. */
export const WINDOW_WIDTH = 9;

/** Late-event record: event time, key id, value, index of the event in its batch. */
export const L_TS = 0, L_KEY = 1, L_VALUE = 2, L_ROW = 3;
/** f64 fields per late-event record. */
export const LATE_WIDTH = 4;

/** Analytics stages: 0 scores input rows, 1 scores window results. */
export const STAGE_EVENTS = 0, STAGE_WINDOWS = 1;
/** Stage output record (NaN where undefined or disabled; is_anomaly 0/1; patterns a threshold bit mask). */
export const S_ZSCORE = 0, S_IS_ANOMALY = 1, S_LEVEL = 2, S_TREND = 3, S_FORECAST = 4, S_FORECAST_H = 5, S_SCORE = 6, S_PATTERNS = 7, S_ROLLING_AVG = 8, S_ROLLING_STDDEV = 9;
/** f64 fields per stage output record. */
export const STAGE_WIDTH = 10;

/** Sequence-match record: key id, pattern index, first/last event time, row of the completing event, index of its first event time in the match-times column. */
export const M_KEY = 0, M_PATTERN = 1, M_FIRST_TS = 2, M_LAST_TS = 3, M_ROW = 4, M_TS_AT = 5;
/** f64 fields per match record. */
export const MATCH_WIDTH = 6;

/** Which field a row's kept span describes, in the order the core keeps them; each span is (i32 kind, start, end). */
export const SPAN_TIME = 0, SPAN_VALUE = 1, SPAN_TYPE = 2;
/** Spans kept per row. */
export const SPAN_FIELDS = 3;
