/**
 * eddy's wasm core: the one flat export surface.
 *
 * Plain functions over numbers and addresses into memory the core owns; no
 * class crosses the boundary. Names are `<area>_<verb>`. A batch is:
 * `input_reserve(n)` → host writes the columns at `input_*_ptr()` →
 * `batch_process(n)` → host reads `out_windows_*` and `out_late_*`. Any call
 * may grow memory: recreate typed-array views after each one.
 *
 * Errors, one convention (abi.ts, "Status codes"): an export that configures
 * returns STATUS_OK or a status code; one that returns a value (a capacity,
 * an id) returns it, or the negated status code.
 */
import { inputReserve, inputTs, inputKey, inputValue, inputType } from "./input";
import { windowsOut, lateOut, WINDOW_WIDTH, LATE_WIDTH } from "./output";
import { batchProcess, batchFlush, setWindowsOn } from "./batch";
import { stages, STAGE_WIDTH } from "./stage";
import { ZSCORE_OFF, ZSCORE_TIME } from "./zscore";
import { MAX_THRESHOLDS } from "./thresholds";
import {
  windowConfigure, windowReset, windowWatermark,
  windowEventsTotal, windowLateTotal, windowInvalidTotal, windowEmittedTotal, windowActiveKeys, windowKeyLate,
} from "./window";
import { keyCount, keyBytes, keysAllocatedBytes } from "./keys";
import { snapshotTake, snapshotAddress, snapshotRelease, restoreReserve, restoreCommit } from "./snapshot";
import { trackChanges, changedKeysCount } from "./changedKeys";
import { patternKeysAllocatedBytes } from "./patternKeys";
import { normalTail } from "./detector";
import {
  CORE_ABI_VERSION, W_COUNT, W_MAX, STATUS_OK, E_STAGE, E_ZSCORE, E_HOLT, E_THRESHOLD_INDEX, E_WINDOW_FIELD, E_INPUT_RANGE,
  E_BATCH_TOO_LARGE, E_DOCUMENT_INVALID,
} from "./abi";

/** Layout version of the boundary; the host refuses a core with another. */
export function core_abi_version(): i32 { return CORE_ABI_VERSION; }

/** Configures windows (ms; mode 0 append, 1 update) and empties all state; 0 or an error code. */
export function window_configure(size: f64, slide: f64, delay: f64, lateness: f64, mode: i32): i32 {
  return windowConfigure(size, slide, delay, lateness, mode);
}
/** Empties all state, keeping the configuration. */
export function window_reset(): void { windowReset(); }

/** Makes the input columns hold `rows` rows; returns the capacity, or −E_BATCH_TOO_LARGE. */
export function input_reserve(rows: i32): i32 { return inputReserve(rows); }
/** Address of the event-time column (f64 epoch ms). */
export function input_ts_ptr(): usize { return inputTs; }
/** Address of the key-id column (i32). */
export function input_key_ptr(): usize { return inputKey; }
/** Address of the value column (f64). */
export function input_value_ptr(): usize { return inputValue; }
/** Address of the event-type column (i32, -1 = none; read by sequence patterns). */
export function input_type_ptr(): usize { return inputType; }

/** Processes `n` rows of the input columns through every enabled kernel; returns the number of window records output. */
export function batch_process(n: i32): i32 { return batchProcess(n); }
/** End of input: emits every open window (scored by the windows stage); later events are late. Returns window records output. */
export function batch_flush(): i32 { return batchFlush(); }
/** Turns the window kernel off (1 = on) for queries that only score events. */
export function window_enable(on: i32): void { setWindowsOn(on != 0); }

/** Address of the window records of the last call (see output.ts for the layout). */
export function out_windows_ptr(): usize { return windowsOut.ptr; }
/** Number of window records of the last call. */
export function out_windows_count(): i32 { return windowsOut.count; }
/** f64 fields per window record. */
export function out_windows_width(): i32 { return WINDOW_WIDTH; }
/** Address of the late-event records of the last call. */
export function out_late_ptr(): usize { return lateOut.ptr; }
/** Number of late-event records of the last call. */
export function out_late_count(): i32 { return lateOut.count; }
/** f64 fields per late-event record. */
export function out_late_width(): i32 { return LATE_WIDTH; }

/** Watermark in epoch ms (-∞ before the first event, +∞ after flush). */
export function stats_watermark(): f64 { return windowWatermark(); }
/** Events folded into windows since start. */
export function stats_events(): f64 { return windowEventsTotal(); }
/** Late events since start. */
export function stats_late(): f64 { return windowLateTotal(); }
/** Rows rejected by the core (non-finite time/value or negative key) since start. */
export function stats_invalid(): f64 { return windowInvalidTotal(); }
/** Window records emitted since start. */
export function stats_windows(): f64 { return windowEmittedTotal(); }
/** Highest key id seen + 1. */
export function stats_keys(): i32 { return keyCount; }
/** Keys holding data in an open window. */
export function stats_active_keys(): i32 { return windowActiveKeys(); }
/** Bytes of state per key (its pane slots and header). */
export function stats_key_bytes(): i32 { return <i32>keyBytes(); }
/** The default detector's standard normal upper tail Q(z) (its tabulated Taylor form), for tests against an independent one. */
export function normal_tail(z: f64): f64 { return normalTail(z); }
/** Bytes of key state allocated. */
export function stats_state_bytes(): f64 { return keysAllocatedBytes(); }
/** Bytes of anomaly-detector state per key of a stage (its per-key block), -1 for a bad stage. */
export function stats_detector_key_bytes(stage: i32): i32 { return stageOk(stage) ? stages[stage].detector.bytesPerKey() : -1; }
/** Bytes allocated for a stage's anomaly-detector blocks, -1 for a bad stage. */
export function stats_detector_state_bytes(stage: i32): f64 { return stageOk(stage) ? stages[stage].detector.blocks.allocatedBytes() : -1; }
/** Bytes allocated for a stage's z-score and Holt blocks, -1 for a bad stage. */
export function stats_stage_state_bytes(stage: i32): f64 {
  return stageOk(stage) ? stages[stage].zscore.blocks.allocatedBytes() + stages[stage].holt.blocks.allocatedBytes() : -1;
}
/** Bytes allocated for the sequence patterns' key records (not counting their partial-match lists). */
export function stats_pattern_state_bytes(): f64 { return patternKeysAllocatedBytes(); }
/** Late events counted for key `k`. */
export function stats_key_late(k: i32): f64 { return windowKeyLate(k); }

/** Serialises the state — all of it (SNAPSHOT_FULL) or the keys changed since the last snapshot (SNAPSHOT_CHANGES) —; returns the byte length (read at snapshot_ptr()). */
export function snapshot_take(kind: i32): i32 { return snapshotTake(kind); }
/** Turns change tracking on (1) or off (0), for snapshots of changes; the set of changed keys starts empty. */
export function changes_track(on: i32): void { trackChanges(on != 0); }
/** Keys changed since the last snapshot (0 unless tracking). */
export function changes_count(): i32 { return changedKeysCount(); }
/** Address of the last snapshot. */
export function snapshot_ptr(): usize { return snapshotAddress(); }
/** Frees the last snapshot after the host copied it. */
export function snapshot_release(): void { snapshotRelease(); }
/** Reserves `length` bytes for a snapshot to restore; returns the address to copy it to. */
export function restore_reserve(length: i32): usize { return restoreReserve(length); }
/** Replaces all state with the reserved snapshot; STATUS_OK, E_SNAPSHOT_HEADER or E_SNAPSHOT_BODY (state is then empty). */
export function restore_commit(): i32 { return restoreCommit(); }

// ── analytics stages (0 = events, 1 = window results) ────────────────────

function stageOk(stage: i32): bool { return stage == 0 || stage == 1; }

/** Rolling z-score: mode 0 off, 1 last `rows` rows, 2 last `timeMs` of event time (at most `rows` rows); STATUS_OK, E_STAGE or E_ZSCORE. */
export function stage_zscore(stage: i32, mode: i32, rows: i32, timeMs: f64, threshold: f64): i32 {
  if (!stageOk(stage)) return E_STAGE;
  if (mode < ZSCORE_OFF || mode > ZSCORE_TIME || (mode != ZSCORE_OFF && (rows < 2 || rows > 1 << 20))) return E_ZSCORE;
  if (mode == ZSCORE_TIME && !(timeMs > 0)) return E_ZSCORE;
  stages[stage].zscore.configure(mode, mode == ZSCORE_OFF ? 0 : rows, timeMs, threshold);
  return STATUS_OK;
}
/** Holt (enabled 0/1) with alpha in (0, 1], beta and gamma in [0, 1], horizon ≥ 1, seasonal slots (0 = none) and season duration (0 = slots are rows); STATUS_OK, E_STAGE or E_HOLT. */
export function stage_holt(stage: i32, enabled: i32, alpha: f64, beta: f64, gamma: f64, horizon: i32, slots: i32, seasonMs: f64): i32 {
  if (!stageOk(stage)) return E_STAGE;
  if (!(alpha > 0 && alpha <= 1) || !(beta >= 0 && beta <= 1) || !(gamma >= 0 && gamma <= 1)) return E_HOLT;
  if (horizon < 1 || slots < 0 || slots > 1 << 20 || !(seasonMs >= 0) || !isFinite(seasonMs)) return E_HOLT;
  stages[stage].holt.configure(enabled != 0, alpha, beta, gamma, horizon, slots, seasonMs);
  return STATUS_OK;
}
/** Forgets a stage's threshold patterns. */
export function stage_thresholds_clear(stage: i32): void { if (stageOk(stage)) stages[stage].thresholds.clear(); }
/** Sets threshold pattern i (NaN = no bound); STATUS_OK, E_STAGE or E_THRESHOLD_INDEX (at most MAX_THRESHOLDS). */
export function stage_threshold(stage: i32, i: i32, upper: f64, lower: f64): i32 {
  if (!stageOk(stage)) return E_STAGE;
  return stages[stage].thresholds.set(i, upper, lower) ? STATUS_OK : E_THRESHOLD_INDEX;
}
/** Most threshold patterns per stage. */
export function stage_thresholds_max(): i32 { return MAX_THRESHOLDS; }
/** The default anomaly score on (1) or off (0); STATUS_OK or E_STAGE. */
export function stage_detector(stage: i32, enabled: i32): i32 {
  if (!stageOk(stage)) return E_STAGE;
  stages[stage].detector.enabled = enabled != 0;
  stages[stage].detector.resetState();
  return STATUS_OK;
}
/** Which window-record field the windows stage reads (W_COUNT … W_MAX); STATUS_OK or E_WINDOW_FIELD. */
export function stage_window_field(field: i32): i32 {
  if (field < W_COUNT || field > W_MAX) return E_WINDOW_FIELD;
  stages[1].windowField = field;
  return STATUS_OK;
}
/** Empties a stage's per-key state, keeping its configuration. */
export function stage_reset(stage: i32): void { if (stageOk(stage)) stages[stage].resetState(); }
/** Address of a stage's output records of the last call. */
export function out_stage_ptr(stage: i32): usize { return stageOk(stage) ? stages[stage].out.ptr : 0; }
/** Number of a stage's output records of the last call (events: one per input row; windows: one per window record). */
export function out_stage_count(stage: i32): i32 { return stageOk(stage) ? stages[stage].out.count : 0; }
/** f64 fields per stage output record. */
export function out_stage_width(): i32 { return STAGE_WIDTH; }

// ── sequence patterns (assembly/patterns.ts) ───────────────────────────────
// batch_process runs the patterns over the batch's rows (type column filled);
// the host then reads `out_matches_*` and `out_match_ts_*`. patterns_process
// runs them alone (tests).
import {
  patternsDefine, patternsSet, patternsSetStep, patternsReset, patternsProcess,
  patternsActivePartials, patternsMatchesTotal, patternsDroppedTotal,
} from "./patterns";
import { matchesOut, matchTsOut, MATCH_WIDTH } from "./matchOutput";

/** Declares `count` patterns (≤ 1024, none set) keeping ≤ `maxPartials` (1…65536) partial matches per key and pattern; empties pattern state. STATUS_OK or an E_PATTERN_* code. */
export function patterns_define(count: i32, maxPartials: i32): i32 { return patternsDefine(count, maxPartials); }
/** Sets pattern `p` to `steps` steps (2…32, types unset) with first-to-last time bound `withinMs` (≥ 0, +∞ = unbounded); empties pattern state. STATUS_OK or an E_PATTERN_* code. */
export function patterns_set(p: i32, steps: i32, withinMs: f64): i32 { return patternsSet(p, steps, withinMs); }
/** Sets step `i` of pattern `p` to type id `typeId` (≥ 0); `strict` ≠ 0: the key's very next event (ignored on step 0). Empties pattern state. STATUS_OK or an E_PATTERN_* code. */
export function patterns_set_step(p: i32, i: i32, typeId: i32, strict: i32): i32 { return patternsSetStep(p, i, typeId, strict); }
/** Empties every key's pattern state and the pattern counters, keeping the patterns. */
export function patterns_reset(): void { patternsReset(); }
/** Runs the patterns over `n` rows of the input columns (ts, key, type; rows with non-finite ts, key < 0 or type < 0 are skipped); returns the matches output. */
export function patterns_process(n: i32): i32 { return patternsProcess(n); }
/** Address of the match records of the last patterns_process (see matchOutput.ts). */
export function out_matches_ptr(): usize { return matchesOut.ptr; }
/** Number of match records of the last patterns_process. */
export function out_matches_count(): i32 { return matchesOut.count; }
/** f64 fields per match record. */
export function out_matches_width(): i32 { return MATCH_WIDTH; }
/** Address of the matched events' times of the last patterns_process (k f64 per match, in step order). */
export function out_match_ts_ptr(): usize { return matchTsOut.ptr; }
/** Number of f64 at out_match_ts_ptr(). */
export function out_match_ts_count(): i32 { return matchTsOut.count; }
/** Partial matches held over all keys and patterns. */
export function patterns_active_partials(): i32 { return patternsActivePartials(); }
/** Matches emitted since start. */
export function patterns_matches_total(): f64 { return patternsMatchesTotal(); }
/** Partial matches dropped because a key's list was full (maxPartials), since start. */
export function patterns_dropped_partials(): f64 { return patternsDroppedTotal(); }

// ── byte scanners: raw NDJSON/JSON/CSV bytes → input columns ───────────────
// The host names the fields (scan_set_field, name bytes at scan_bytes_ptr()),
// copies a chunk of input to scan_bytes_reserve(len), calls one scanner, then
// reads the rejects and the keys the call added (ids ≥ keys_count() before
// it), and runs batch_process(rows) on the columns the scanner filled.
import {
  scanBytesReserve, scanConfigReset, scanSetField, scanAddType, rejects, rejectCount, REJECT_WIDTH, MAX_KEY_COLUMNS,
} from "./scanConfig";
import { scanNdjson, setLineLimitUnits } from "./ndjsonScan";
import { scanCsv, scanCsvColumns, scanCsvMap } from "./csvScan";
import { scanJsonDocument } from "./jsonDocScan";
import { fieldSpans, setKeepFieldSpans, shiftFieldSpans, SPAN_ROW_BYTES } from "./rowFields";
import { scanMessages, scanMessagesReserve, scanMessageTimes, MESSAGE_WIDTH } from "./messageScan";
import { scanLines } from "./scanConfig";
import { inputRow, inputShift } from "./input";
import { keyIntern, keyTruncate, keyTableReset, keyTotal, keyText, keyEntries } from "./keyTable";
import { parseNumberText } from "./parseNumber";
import { formatNumber } from "./formatNumber";
import { scoredCsvLines, scoredCsvPtr, scoredCsvLength } from "./scoredCsv";
import { timestampFromText } from "./parseTimestamp";
import { scanBytes } from "./scanConfig";

/** Makes the byte buffer hold `n` bytes (contents not kept); returns its address. */
export function scan_bytes_reserve(n: i32): usize { return n < 0 ? 0 : scanBytesReserve(<usize>n); }
/** Forgets every field name and event type. */
export function scan_config_reset(): void { scanConfigReset(); }
/** Names slot `slot` (0 time, 1 value, 2 type, 3 + i grouping column i) with the `len` bytes at the byte buffer; STATUS_OK or E_SCAN_SLOT. */
export function scan_set_field(slot: i32, len: i32): i32 { return scanSetField(slot, len); }
/** Adds a pattern event type (its name's bytes at the byte buffer); returns its id, or −E_SCAN_TYPES_FULL. */
export function scan_add_type(len: i32): i32 { return scanAddType(len); }
/** Most grouping columns the scanners resolve. */
export function scan_max_key_columns(): i32 { return MAX_KEY_COLUMNS; }
/** Scans `len` bytes of NDJSON whose first line is `firstLine`; returns rows written, or −E_BATCH_TOO_LARGE if more than one batch holds. */
export function scan_ndjson(len: i32, firstLine: i32, maxLineBytes: i32): i32 {
  const rows = scanNdjson(len, firstLine, maxLineBytes);
  return rows < 0 ? -E_BATCH_TOO_LARGE : rows;
}
/** Makes scan_ndjson's line limit count UTF-16 code units (1) or bytes (0, the default). */
export function scan_line_limit_units(on: i32): void { setLineLimitUnits(on != 0); }
/** Lines the last scan went through. */
export function scan_lines(): i32 { return scanLines; }
/** Starts a CSV header of `count` columns (none mapped); STATUS_OK or E_CSV_COLUMNS. */
export function scan_csv_columns(count: i32): i32 { return scanCsvColumns(count); }
/** CSV column `column` fills slot `slot`; STATUS_OK or E_CSV_MAP. */
export function scan_csv_map(column: i32, slot: i32): i32 { return scanCsvMap(column, slot); }
/** Scans `len` bytes of CSV rows (header already mapped) whose first line is `firstLine`; rows written, or −E_BATCH_TOO_LARGE. */
export function scan_csv(len: i32, firstLine: i32, maxLineBytes: i32): i32 {
  const rows = scanCsv(len, firstLine, maxLineBytes);
  return rows < 0 ? -E_BATCH_TOO_LARGE : rows;
}
/** Scans a `len`-byte JSON document (an array of events or one event); rows written, −E_DOCUMENT_INVALID (nothing kept), or −E_BATCH_TOO_LARGE. */
export function scan_json(len: i32): i32 {
  const rows = scanJsonDocument(len);
  return rows == -1 ? -E_DOCUMENT_INVALID : rows == -2 ? -E_BATCH_TOO_LARGE : rows;
}
/** Makes the message table hold `count` messages (MESSAGE_WIDTH i32 each: value start, end, key start, key length or -1); returns its address. */
export function scan_messages_reserve(count: i32): usize { return count < 0 ? 0 : scanMessagesReserve(count); }
/** Address of the f64 timestamp of each message in the table. */
export function scan_message_times_ptr(): usize { return scanMessageTimes(); }
/** i32 fields per message in the table. */
export function scan_message_width(): i32 { return MESSAGE_WIDTH; }
/** Scans `count` Kafka message values in the `len`-byte buffer (flags: 1 key from message, 2 time from message); rows written, messages read in scan_lines(). */
export function scan_messages(count: i32, len: i32, flags: i32): i32 { return count < 0 || len < 0 ? 0 : scanMessages(count, len, flags); }
/** Keeps (1) or stops keeping (0) each scanned row's time, value and type field spans (kind, start, end i32 each) at scan_field_spans_ptr(). */
export function scan_keep_field_spans(on: i32): void { setKeepFieldSpans(on != 0); }
/** Address of the field spans of the rows the last scan wrote (scan_field_spans_width() bytes per row). */
export function scan_field_spans_ptr(): usize { return fieldSpans; }
/** Bytes of one row's field spans. */
export function scan_field_spans_width(): i32 { return SPAN_ROW_BYTES; }
/** Moves scanned rows [from, from + n) to the front of the input columns (and their spans), to process a chunk in slices; STATUS_OK or E_INPUT_RANGE. */
export function input_shift(from: i32, n: i32): i32 {
  if (!inputShift(from, n)) return E_INPUT_RANGE;
  shiftFieldSpans(from, n);
  return STATUS_OK;
}
/** Address of the rejects of the last scan (REJECT_WIDTH i32 each; see scanConfig.ts). */
export function scan_rejects_ptr(): usize { return rejects; }
/** Number of rejects of the last scan. */
export function scan_rejects_count(): i32 { return rejectCount; }
/** i32 fields per reject. */
export function scan_rejects_width(): i32 { return REJECT_WIDTH; }
/** Address of the source-row column (line or message of each row a scanner wrote). */
export function input_row_ptr(): usize { return inputRow; }

/** Number of interned keys. */
export function keys_count(): i32 { return keyTotal; }
/** Address of the key text block. */
export function keys_text_ptr(): usize { return keyText; }
/** Address of the key entries (i32 offset, i32 length, u32 hash per id). */
export function keys_entries_ptr(): usize { return keyEntries; }
/** Interns the key whose text (`len` bytes) and `parts` kind bytes are at the byte buffer; returns its id. */
export function keys_intern(len: i32, parts: i32): i32 { return keyIntern(scanBytes, <usize>len, scanBytes + <usize>len, parts); }
/** Removes the keys with ids ≥ count. */
export function keys_truncate(count: i32): void { keyTruncate(count); }
/** Forgets every key. */
export function keys_reset(): void { keyTableReset(); }

/** Number(text) of the `len` bytes at the byte buffer in JSON's grammar (json = 1) or a numeric string's; NaN if not one number. */
export function text_to_number(len: i32, json: i32): f64 { return parseNumberText(scanBytes, scanBytes + <usize>len, json != 0); }
/** Writes String(x) at the byte buffer (reserve ≥ 32 bytes first); returns its length. */
export function number_to_text(x: f64): i32 { return formatNumber(x, scanBytes); }
/** `eddy detect`'s lines `time,value,score` for rows [from, to) of the current slice; returns the rows written (fewer when a row needs the host). */
export function scored_csv(from: i32, to: i32): i32 { return scoredCsvLines(from, to); }
/** Address of the lines scored_csv wrote. */
export function scored_csv_ptr(): usize { return scoredCsvPtr(); }
/** Bytes scored_csv wrote. */
export function scored_csv_length(): i32 { return scoredCsvLength(); }
/** Event time (epoch ms) of the timestamp text at the byte buffer, or NaN. */
export function text_to_timestamp(len: i32): f64 { return timestampFromText(scanBytes, scanBytes + <usize>len); }
