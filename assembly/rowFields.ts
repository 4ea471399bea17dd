/**
 * The captured fields of one row → one row of the input columns, by the
 * rules of the host's RowEncoder (src/engine/encoder.ts), in its order:
 * event time, then value, then each grouping column; the first field that
 * fails rejects the row (REJECT_FIELD with its slot; the host words the
 * reason from the value). The type field never rejects.
 *
 * - time: a number is epoch s/ms by magnitude; a string is a numeric text
 *   or ISO-8601 (parseTimestamp.ts); must fall in the years 0000–9999;
 * - value: a number, or a string `Number()` reads as a finite number;
 * - a grouping value: a string, number or boolean, as its `String()` text;
 * - type: its text looked up among the pattern types (others share one id;
 *   missing, null and "" are -1).
 */
import { SPAN_FIELDS, SPAN_TIME, SPAN_VALUE, SPAN_TYPE } from "./abi";
import {
  SLOT_TIME, SLOT_VALUE, SLOT_TYPE, SLOT_KEY0, keyColumns, slotNameLen, fieldKind, fieldStart, fieldEnd, fieldEscaped, fieldNumber,
  FIELD_ABSENT, FIELD_STRING, FIELD_NUMBER, FIELD_TRUE, FIELD_FALSE, FIELD_NULL, FIELD_CSV, FIELD_CSV_QUOTED,
  typeCount, typeOther, typeNamePtr, typeNameLen, reject, REJECT_FIELD, scanBytes,
} from "./scanConfig";
import { decodeString } from "./jsonText";
import { parseNumberText } from "./parseNumber";
import { epochToMs, timestampFromText, trimStart, trimEnd, MIN_EVENT_TIME_MS, MAX_EVENT_TIME_MS } from "./parseTimestamp";
import { formatNumber, isCanonicalNumber } from "./formatNumber";
import { keyIntern, KIND_STRING, KIND_NUMBER, KIND_BOOLEAN } from "./keyTable";
import { inputTs, inputKey, inputValue, inputType, inputRow } from "./input";
import { growZeroed, bytesEqual } from "./buffers";

/** Decoded text of one field (strings with escapes, quoted CSV cells). */
let textBuf: usize = 0;
let textCap: usize = 0;
let textLen: i32 = 0;
/** The key being built: parts joined by U+001F, then the kind bytes. */
let keyBuf: usize = 0;
let keyCap: usize = 0;
const keyKinds = new StaticArray<u8>(64);

function ensureText(n: usize): void {
  if (n > textCap) {
    let cap = textCap < 1024 ? <usize>1024 : textCap;
    while (cap < n) cap <<= 1;
    textBuf = growZeroed(textBuf, 0, cap);
    textCap = cap;
  }
}

/**
 * The text of a string field: its bytes in place when it has no escapes,
 * else decoded into textBuf. Returns the start; the length is in textLen.
 */
function fieldText(slot: i32): usize {
  const kind = unchecked(fieldKind[slot]);
  const start = unchecked(fieldStart[slot]);
  const end = unchecked(fieldEnd[slot]);
  if (kind == FIELD_CSV) {
    textLen = <i32>(end - start);
    return start;
  }
  if (kind == FIELD_CSV_QUOTED) {
    // between the quotes, "" is one quote
    ensureText(end - start);
    let w = textBuf;
    for (let p = start + 1; p < end - 1; p++) {
      const c = load<u8>(p);
      store<u8>(w, c);
      w++;
      if (c == 0x22) p++;
    }
    textLen = <i32>(w - textBuf);
    return textBuf;
  }
  if (!unchecked(fieldEscaped[slot])) {
    textLen = <i32>(end - start - 2);
    return start + 1;
  }
  ensureText(end - start);
  textLen = decodeString(start, end, textBuf);
  return textBuf;
}

@inline function isText(kind: u8): bool {
  return kind == FIELD_STRING || kind == FIELD_CSV || kind == FIELD_CSV_QUOTED;
}

/** Event time of the row, or NaN. */
function timeOf(): f64 {
  const kind = unchecked(fieldKind[SLOT_TIME]);
  if (kind == FIELD_NUMBER) return epochToMs(unchecked(fieldNumber[SLOT_TIME]));
  if (isText(kind)) {
    const p = fieldText(SLOT_TIME);
    return timestampFromText(p, p + <usize>textLen);
  }
  return NaN;
}

/** The row's value, or NaN when it is missing or not a finite number. */
function valueOf(): f64 {
  const kind = unchecked(fieldKind[SLOT_VALUE]);
  if (kind == FIELD_NUMBER) return unchecked(fieldNumber[SLOT_VALUE]);
  if (isText(kind)) {
    const p = fieldText(SLOT_VALUE);
    const from = trimStart(p, p + <usize>textLen);
    const to = trimEnd(from, p + <usize>textLen);
    return parseNumberText(from, to, false);
  }
  return NaN;
}

/**
 * Writes the text of slot's value (String() of it) at w and its kind into
 * keyKinds[part]; returns the address after it, or 0 when the value cannot
 * be a key part.
 */
function keyPart(slot: i32, part: i32, w: usize): usize {
  const kind = unchecked(fieldKind[slot]);
  if (isText(kind)) {
    const p = fieldText(slot);
    memory.copy(w, p, <usize>textLen);
    unchecked(keyKinds[part] = KIND_STRING);
    return w + <usize>textLen;
  }
  if (kind == FIELD_NUMBER) {
    const start = unchecked(fieldStart[slot]);
    const end = unchecked(fieldEnd[slot]);
    unchecked(keyKinds[part] = KIND_NUMBER);
    if (isCanonicalNumber(start, end)) {
      memory.copy(w, start, end - start);
      return w + (end - start);
    }
    const v = unchecked(fieldNumber[slot]);
    if (!isFinite(v)) {
      // String(Infinity): JSON.parse gives Infinity for 1e999
      const text = v > 0 ? "Infinity" : "-Infinity";
      for (let i = 0; i < text.length; i++) store<u8>(w + <usize>i, <u8>text.charCodeAt(i));
      return w + <usize>text.length;
    }
    return w + <usize>formatNumber(v, w);
  }
  if (kind == FIELD_TRUE) {
    store<u32>(w, 0x65757274); // "true"
    unchecked(keyKinds[part] = KIND_BOOLEAN);
    return w + 4;
  }
  if (kind == FIELD_FALSE) {
    store<u32>(w, 0x736c6166); // "fals"
    store<u8>(w + 4, 0x65);
    unchecked(keyKinds[part] = KIND_BOOLEAN);
    return w + 5;
  }
  return 0;
}

function ensureKey(n: usize): void {
  if (n > keyCap) {
    let cap = keyCap < 1024 ? <usize>1024 : keyCap;
    while (cap < n) cap <<= 1;
    keyBuf = growZeroed(keyBuf, 0, cap);
    keyCap = cap;
  }
}

/** The key id of the row, or -1 - slot of the first grouping field that cannot be a key part. */
function keyOf(): i32 {
  // room for every part's text (at most its span, or 26 bytes for a number) and separators
  let need: usize = 8;
  for (let c = 0; c < keyColumns; c++) need += unchecked(fieldEnd[SLOT_KEY0 + c]) - unchecked(fieldStart[SLOT_KEY0 + c]) + 32;
  ensureKey(need);
  let w = keyBuf;
  for (let c = 0; c < keyColumns; c++) {
    if (c > 0) {
      store<u8>(w, 0x1f);
      w++;
    }
    const after = keyPart(SLOT_KEY0 + c, c, w);
    if (after == 0) return -1 - (SLOT_KEY0 + c);
    w = after;
  }
  return keyIntern(keyBuf, w - keyBuf, changetype<usize>(keyKinds), keyColumns);
}


/** Type id of the row: -1 for none, a pattern type's id, or typeOther. */
function typeOf(): i32 {
  if (typeCount == 0 || unchecked(slotNameLen[SLOT_TYPE]) < 0) return -1;
  const kind = unchecked(fieldKind[SLOT_TYPE]);
  if (kind == FIELD_ABSENT || kind == FIELD_NULL) return -1;
  let p: usize;
  let len: i32;
  if (isText(kind)) {
    p = fieldText(SLOT_TYPE);
    len = textLen;
    if (len == 0) return -1;
  } else if (kind == FIELD_NUMBER || kind == FIELD_TRUE || kind == FIELD_FALSE) {
    ensureKey(64);
    const after = keyPart(SLOT_TYPE, 0, keyBuf);
    p = keyBuf;
    len = <i32>(after - keyBuf);
  } else {
    return typeOther;
  }
  for (let t = 0; t < typeCount; t++) {
    if (unchecked(typeNameLen[t]) == len && bytesEqual(unchecked(typeNamePtr[t]), p, <usize>len)) return t;
  }
  return typeOther;
}

/**
 * The spans of the time, value and type fields per row written, when the
 * host asks for them (scored events that carry their type's value; `eddy
 * detect`, which echoes each row's time and value cells as read): per row
 * SPAN_FIELDS × (i32 kind (FIELD_*), start, end), relative to the byte
 * buffer. The host reads the text from the bytes.
 */
export let fieldSpans: usize = 0;
/** Fields whose spans are kept, in this order: time, value, type (abi.ts). */
export { SPAN_FIELDS };
/** Bytes of one row's spans. */
export const SPAN_ROW_BYTES: i32 = SPAN_FIELDS * 12;
/** Byte offsets of the time, value and type spans in a row's spans. */
export const SPAN_TIME_AT: usize = <usize>SPAN_TIME * 12, SPAN_VALUE_AT: usize = <usize>SPAN_VALUE * 12, SPAN_TYPE_AT: usize = <usize>SPAN_TYPE * 12;
let fieldSpanCap: i32 = 0;
let keepFieldSpans = false;

/** Turns the per-row field spans on or off. */
export function setKeepFieldSpans(on: bool): void {
  keepFieldSpans = on;
}

/** Whether the scans keep field spans. */
export function keepingFieldSpans(): bool {
  return keepFieldSpans;
}

function storeSpan(w: usize, slot: i32): void {
  const kind = unchecked(fieldKind[slot]);
  store<i32>(w, kind);
  store<i32>(w + 4, kind == FIELD_ABSENT ? 0 : <i32>(unchecked(fieldStart[slot]) - scanBytes));
  store<i32>(w + 8, kind == FIELD_ABSENT ? 0 : <i32>(unchecked(fieldEnd[slot]) - scanBytes));
}

function storeFieldSpans(n: i32): void {
  if (n >= fieldSpanCap) {
    let cap = fieldSpanCap < 4096 ? 4096 : fieldSpanCap;
    while (cap <= n) cap <<= 1;
    fieldSpans = growZeroed(fieldSpans, <usize>fieldSpanCap * SPAN_ROW_BYTES, <usize>cap * SPAN_ROW_BYTES);
    fieldSpanCap = cap;
  }
  const w = fieldSpans + <usize>n * SPAN_ROW_BYTES;
  storeSpan(w + SPAN_TIME_AT, SLOT_TIME);
  storeSpan(w + SPAN_VALUE_AT, SLOT_VALUE);
  storeSpan(w + SPAN_TYPE_AT, SLOT_TYPE);
}

/**
 * Turns the captured fields into input row `n` (source row number `row`);
 * returns true if written, false if rejected (the reject is recorded).
 */
export function finishRow(n: i32, row: i32, rowStart: usize, rowEnd: usize, item: i32): bool {
  const ts = timeOf();
  if (!(ts >= MIN_EVENT_TIME_MS && ts < MAX_EVENT_TIME_MS)) {
    reject(row, REJECT_FIELD, SLOT_TIME, unchecked(fieldStart[SLOT_TIME]), rowStart, rowEnd, item);
    return false;
  }
  let value: f64 = 0;
  if (unchecked(slotNameLen[SLOT_VALUE]) >= 0) {
    value = valueOf();
    if (!isFinite(value)) {
      reject(row, REJECT_FIELD, SLOT_VALUE, unchecked(fieldStart[SLOT_VALUE]), rowStart, rowEnd, item);
      return false;
    }
  }
  let key: i32;
  if (keyColumns == 0) {
    key = keyIntern(keyBuf, 0, 0, 0);
  } else {
    key = keyOf();
    if (key < 0) {
      const slot = -1 - key;
      reject(row, REJECT_FIELD, slot, unchecked(fieldStart[slot]), rowStart, rowEnd, item);
      return false;
    }
  }
  const o = <usize>n;
  store<f64>(inputTs + (o << 3), ts);
  store<i32>(inputKey + (o << 2), key);
  store<f64>(inputValue + (o << 3), value);
  store<i32>(inputType + (o << 2), typeOf());
  store<i32>(inputRow + (o << 2), row);
  if (keepFieldSpans) storeFieldSpans(n);
  return true;
}

/** Moves the field spans of rows [from, from + n) to [0, n), with inputShift. */
export function shiftFieldSpans(from: i32, n: i32): void {
  if (!keepFieldSpans || fieldSpanCap == 0) return;
  const end = from + n < fieldSpanCap ? from + n : fieldSpanCap;
  if (end <= from) return;
  memory.copy(fieldSpans, fieldSpans + <usize>from * SPAN_ROW_BYTES, <usize>(end - from) * SPAN_ROW_BYTES);
}
