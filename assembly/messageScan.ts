/**
 * Kafka message values → input columns: all values of one fetch batch in
 * the byte buffer, one call. The host writes a message table (value span,
 * key span, timestamp per message) and the scanner reads each value as
 * what a producer may send:
 *
 * - a JSON array of events (first non-whitespace character `[`), read like
 *   a JSON document (jsonDocScan.ts): element i is event i;
 * - NDJSON (the value holds an LF): each non-blank line an event; if a line
 *   is not valid JSON the whole value is tried as one JSON value (a
 *   pretty-printed object);
 * - otherwise one JSON value, which must be an object.
 *
 * A value that is empty (JavaScript whitespace only) is REJECT_EMPTY_MESSAGE;
 * invalid JSON rejects the whole message (REJECT_SYNTAX, item 0) and takes
 * back the rows, rejects and keys the message had made: a message is never
 * half-read. Every reject and row names its message (1-based in the call);
 * a reject names its event within the message (item, 1-based) only when
 * the message held more than one event.
 *
 * Options (the call's flags): the message key replaces the first grouping
 * column (MESSAGE_KEY; messages without a key keep the field), the message
 * timestamp replaces the event time (MESSAGE_TIME; epoch by magnitude).
 */
import { MESSAGE_KEY, MESSAGE_TIME } from "./abi";
export { MESSAGE_KEY, MESSAGE_TIME };
import {
  scanBytes, clearFields, capture, reject, rejectsReset, rejectsTruncate, rejects, rejectCount, setScanLines, keyColumns,
  SLOT_TIME, SLOT_KEY0, FIELD_CSV, FIELD_NUMBER, REJECT_NOT_OBJECT, REJECT_ELEMENT_NOT_OBJECT, REJECT_EMPTY_MESSAGE, REJECT_WIDTH,
} from "./scanConfig";
import { skipWs, skipValue, fail, syntaxError, syntaxErrorAt, SYNTAX_END, SYNTAX_UNEXPECTED } from "./jsonText";
import { scanObject, objectSlotsRefresh } from "./jsonObject";
import { finishRow } from "./rowFields";
import { trimStart } from "./parseTimestamp";
import { jsonKindOf, prepareRows, roomForRow, rejectSyntax } from "./scanRows";
import { keyTotal, keyTruncate } from "./keyTable";
import { lineEnd } from "./ndjsonScan";
import { growZeroed } from "./buffers";

/** i32 fields per message in the table: value start, value end, key start, key length (-1: no key), all relative to the byte buffer. */
export const MESSAGE_WIDTH: i32 = 4;

let table: usize = 0;
let times: usize = 0;
let tableCap: i32 = 0;

/** Makes the message table hold `count` messages; returns its address (the timestamps: scanMessageTimes()). */
export function scanMessagesReserve(count: i32): usize {
  if (count > tableCap) {
    let cap = tableCap < 1024 ? 1024 : tableCap;
    while (cap < count) cap <<= 1;
    table = growZeroed(table, 0, <usize>cap * MESSAGE_WIDTH * 4);
    times = growZeroed(times, 0, <usize>cap * 8);
    tableCap = cap;
  }
  return table;
}

/** Address of the f64 timestamp (epoch ms) of each message. */
export function scanMessageTimes(): usize {
  return times;
}

// The message being read.
let message: i32 = 0;
let keyStart: usize = 0;
let keyLen: i32 = -1;
let time: f64 = 0;
let flags: i32 = 0;
let rowsWritten: i32 = 0;
/** Set when the columns are full: the scan stops before the message. */
let full = false;

/** Puts the message's key and time over the fields the object had. */
@inline function overrides(at: usize): void {
  if ((flags & MESSAGE_KEY) != 0 && keyLen >= 0 && keyColumns > 0) {
    // the key's bytes are its text as they stand (no quotes, no escapes): the raw-text kind CSV cells use
    capture(<u64>1 << <u64>SLOT_KEY0, FIELD_CSV, keyStart, keyStart + <usize>keyLen, false, 0);
  }
  if ((flags & MESSAGE_TIME) != 0) capture(<u64>1 << <u64>SLOT_TIME, FIELD_NUMBER, at, at, false, time);
}

/** An object event whose captured fields are complete: its row, or its field reject. */
function objectEvent(rowStart: usize, rowEnd: usize, item: i32): bool {
  overrides(rowStart);
  if (!roomForRow(rowsWritten)) { full = true; return false; }
  if (finishRow(rowsWritten, message, rowStart, rowEnd, item)) rowsWritten++;
  return true;
}

/** One JSON value filling [p, end) (whitespace around it) as event `item`; false on a syntax error or full columns. */
function oneValue(p: usize, end: usize, rowStart: usize, item: i32): bool {
  const q = skipWs(p, end);
  if (q >= end) { fail(SYNTAX_END, q); return false; }
  let r: usize;
  const isObject = load<u8>(q) == 0x7b;
  if (isObject) { clearFields(); r = scanObject(q, end); } else r = skipValue(q, end);
  if (r == 0) return false;
  r = skipWs(r, end);
  if (r != end) { fail(SYNTAX_UNEXPECTED, r); return false; }
  if (isObject) return objectEvent(rowStart, end, item);
  reject(message, REJECT_NOT_OBJECT, jsonKindOf(<u32>load<u8>(q)), q, rowStart, end, item);
  return true;
}

/** A value that is a JSON array of events; returns the events, -1 on a syntax error (or full columns). */
function arrayValue(s: usize, e: usize): i32 {
  let p = skipWs(s, e);
  if (p >= e || load<u8>(p) != 0x5b) { fail(SYNTAX_UNEXPECTED, p); return -1; }
  p = skipWs(p + 1, e);
  let items = 0;
  if (p < e && load<u8>(p) == 0x5d) {
    p++;
  } else {
    while (true) {
      if (p >= e) { fail(SYNTAX_END, p); return -1; }
      items++;
      let r: usize;
      if (load<u8>(p) == 0x7b) {
        clearFields();
        r = scanObject(p, e);
        if (r == 0 || !objectEvent(p, r, items)) return -1;
      } else {
        r = skipValue(p, e);
        if (r == 0) return -1;
        reject(message, REJECT_ELEMENT_NOT_OBJECT, jsonKindOf(<u32>load<u8>(p)), p, p, r, items);
      }
      p = skipWs(r, e);
      if (p >= e) { fail(SYNTAX_END, p); return -1; }
      const c = load<u8>(p);
      if (c == 0x2c) { p = skipWs(p + 1, e); continue; }
      if (c == 0x5d) { p++; break; }
      fail(SYNTAX_UNEXPECTED, p);
      return -1;
    }
  }
  p = skipWs(p, e);
  if (p != e) { fail(SYNTAX_UNEXPECTED, p); return -1; }
  return items;
}

/** A value of NDJSON lines; returns the events, -1 when a line is not valid JSON (or full columns). */
function linesValue(s: usize, e: usize): i32 {
  let items = 0;
  let p = s;
  while (p < e) {
    const lf = lineEnd(p, e);
    // a blank line is JavaScript whitespace only (as String.prototype.trim)
    if (trimStart(p, lf) < lf) {
      items++;
      if (!oneValue(p, lf, p, items)) return -1;
    }
    p = lf + 1;
  }
  return items;
}

/** Takes back everything the current message wrote. */
function rollback(rows: i32, rejectsBefore: i32, keys: i32): void {
  rowsWritten = rows;
  rejectsTruncate(rejectsBefore);
  keyTruncate(keys);
}

/** Reads the message in [s, e). */
function scanMessage(s: usize, e: usize): void {
  const rows = rowsWritten;
  const rejectsBefore = rejectCount;
  const keys = keyTotal;
  const t = trimStart(s, e);
  if (t >= e) {
    reject(message, REJECT_EMPTY_MESSAGE, 0, s, s, e, 0);
    return;
  }
  let items: i32;
  if (load<u8>(t) == 0x5b) {
    items = arrayValue(s, e);
  } else if (lineEnd(s, e) < e) {
    items = linesValue(s, e);
    if (items < 0 && !full) {
      // not NDJSON: one value written over several lines? If not, the line's error stands.
      const code = syntaxError;
      const at = syntaxErrorAt;
      rollback(rows, rejectsBefore, keys);
      items = oneValue(s, e, s, 1) ? 1 : -1;
      if (items < 0 && !full) fail(code, at);
    }
  } else {
    items = oneValue(s, e, s, 1) ? 1 : -1;
  }
  if (items < 0) {
    rollback(rows, rejectsBefore, keys);
    if (!full) rejectSyntax(message, s, e, 0);
    return;
  }
  // one event: its rejects name the message only
  if (items == 1) for (let i = rejectsBefore; i < rejectCount; i++) store<i32>(rejects + <usize>i * REJECT_WIDTH * 4 + 24, 0);
}

/**
 * Scans the `count` messages of the table, whose values (and keys) are in
 * the `len`-byte byte buffer; returns the rows written. The messages read
 * are scanLines(): fewer than `count` only when the input columns filled
 * up (the host scans the rest in another call).
 */
export function scanMessages(count: i32, len: i32, options: i32): i32 {
  rejectsReset();
  objectSlotsRefresh();
  prepareRows(len);
  flags = options;
  rowsWritten = 0;
  full = false;
  let done = 0;
  for (let i = 0; i < count; i++) {
    const m = table + <usize>i * MESSAGE_WIDTH * 4;
    const start = load<i32>(m);
    const end = load<i32>(m + 4);
    // a table entry outside the buffer is the host's bug; it is skipped rather than read
    if (start < 0 || end < start || end > len) { done++; continue; }
    message = i + 1;
    keyStart = scanBytes + <usize>load<i32>(m + 8);
    keyLen = load<i32>(m + 12);
    if (keyLen >= 0 && (load<i32>(m + 8) < 0 || load<i32>(m + 8) + keyLen > len)) keyLen = -1;
    time = load<f64>(times + <usize>i * 8);
    scanMessage(scanBytes + <usize>start, scanBytes + <usize>end);
    if (full) break;
    done++;
  }
  setScanLines(done);
  return rowsWritten;
}
