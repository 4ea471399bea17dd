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
export const CORE_ABI_VERSION = 10; // 10: snapshots of key records, full or changes only (snapshot_take(kind), changes_track)

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

/** Field slots of the byte scanners: time, value, type, then grouping column i at SLOT_KEY0 + i. */
export const SLOT_TIME = 0, SLOT_VALUE = 1, SLOT_TYPE = 2, SLOT_KEY0 = 3;
/** Most grouping columns a scan reads. */
export const MAX_KEY_COLUMNS = 32;
/** Scanner reject record (i32 fields): source row, reject code, detail, byte offset of the problem, of the row's start and end, item (message index). */
export const R_ROW = 0, R_CODE = 1, R_DETAIL = 2, R_AT = 3, R_ROW_START = 4, R_ROW_END = 5, R_ITEM = 6;
/** i32 fields per reject record (the last one spare). */
export const REJECT_WIDTH = 8;
/** Reject codes. */
export const REJECT_SYNTAX = 1, REJECT_NOT_OBJECT = 2, REJECT_FIELD = 3, REJECT_LINE_TOO_LONG = 4, REJECT_CSV_CELLS = 5,
  REJECT_CSV_UNTERMINATED = 6, REJECT_CSV_AFTER_QUOTE = 7, REJECT_EMPTY_MESSAGE = 8, REJECT_ELEMENT_NOT_OBJECT = 9;
/** Syntax error codes, a REJECT_SYNTAX's detail. */
export const SYNTAX_UNEXPECTED = 1, SYNTAX_END = 2, SYNTAX_UTF8 = 3, SYNTAX_ESCAPE = 4, SYNTAX_CONTROL = 5;
/** JSON kinds, a REJECT_NOT_OBJECT's detail. */
export const JSON_ARRAY = 1, JSON_STRING = 2, JSON_NUMBER = 3, JSON_BOOLEAN = 4, JSON_NULL = 5;
/** Flags of scan_messages: the message key is the first grouping column; the message timestamp is the event time. */
export const MESSAGE_KEY = 1, MESSAGE_TIME = 2;

/** Threshold patterns per stage (one bit each in a stage record's `patterns` mask). */
export const MAX_THRESHOLDS = 16;
/** Steps of a sequence pattern. */
export const MAX_STEPS = 32;
/** Open partial matches per key and pattern unless configured. */
export const DEFAULT_MAX_PARTIALS = 64;

/** Field kinds of the scanners, as a field span records them (a u8 in the core). */
export const FIELD_ABSENT = 0, FIELD_STRING = 1, FIELD_NUMBER = 2, FIELD_TRUE = 3, FIELD_FALSE = 4, FIELD_NULL = 5, FIELD_OBJECT = 6,
  FIELD_ARRAY = 7, FIELD_CSV = 8, FIELD_CSV_QUOTED = 9;
/** Kind bytes after a key's text in the core key table (a u8 in the core). */
export const KIND_STRING = 0, KIND_NUMBER = 1, KIND_BOOLEAN = 2;

/**
 * Snapshot layout (snapshot.ts): the header is magic "EDDY" (little-endian
 * u32), version, total length, kind, partition-part length, each u32; then
 * the partition part, then a u32 count and the key records (keyRecords.ts:
 * i32 key id, u32 body length, body). A full snapshot holds every key with
 * state; a snapshot of changes the keys changed since the previous one, an
 * empty body deleting a key. Version 6: state per key record.
 */
export const SNAPSHOT_MAGIC = 0x59444445, SNAPSHOT_VERSION = 6, SNAPSHOT_HEADER_BYTES = 20;
/** Snapshot kinds (snapshot_take's argument and the header's kind). */
export const SNAPSHOT_FULL = 0, SNAPSHOT_CHANGES = 1;
/** Bytes before a key record's body: its id and its body length. */
export const KEY_RECORD_HEADER_BYTES = 8;

/**
 * Status codes: the one error convention of the exports. An export that
 * configures returns STATUS_OK (0) or one of these codes; an export that
 * returns a value (a capacity, an id) returns it (≥ 0), or the negated code.
 * The host turns a code into its message through STATUS_MESSAGES
 * (src/core/status.ts), so every message is written once. Codes are unique
 * across the core, so a code names its cause without the export beside it.
 */
export const STATUS_OK = 0;
/** window_configure. */
export const E_WINDOW_SIZE = 1, E_WINDOW_SLIDE = 2, E_WINDOW_DELAY = 3, E_WINDOW_LATENESS = 4, E_WINDOW_PANES = 5, E_WINDOW_MODE = 6;
/** stage_* (E_STAGE: a stage id other than STAGE_EVENTS / STAGE_WINDOWS). */
export const E_STAGE = 10, E_ZSCORE = 11, E_HOLT = 12, E_THRESHOLD_INDEX = 13, E_WINDOW_FIELD = 14;
/** patterns_define / patterns_set / patterns_set_step. */
export const E_PATTERN_COUNT = 20, E_PATTERN_MAX_PARTIALS = 21, E_PATTERN_INDEX = 22, E_PATTERN_STEPS = 23, E_PATTERN_WITHIN = 24,
  E_PATTERN_STEP_INDEX = 25, E_PATTERN_TYPE = 26;
/** restore_commit. */
export const E_SNAPSHOT_HEADER = 30, E_SNAPSHOT_BODY = 31;
/** input_reserve / input_shift. */
export const E_BATCH_TOO_LARGE = 40, E_INPUT_RANGE = 41;
/** scan_set_field / scan_add_type / scan_csv_columns / scan_csv_map; scan_json's document rejected as a whole (its one reject says why). */
export const E_SCAN_SLOT = 50, E_SCAN_TYPES_FULL = 51, E_CSV_COLUMNS = 52, E_CSV_MAP = 53, E_DOCUMENT_INVALID = 54;
