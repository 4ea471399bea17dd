/**
 * What the byte scanners look for, and the buffers they share.
 *
 * Fields are found by name into slots: SLOT_TIME (event time), SLOT_VALUE
 * (the measured value; optional), SLOT_TYPE (event type for sequence
 * patterns; optional) and SLOT_KEY0 + i for grouping column i. Several slots
 * may name one field. For every row a scanner records, per slot, the kind
 * and byte span of the value it found (the last one when a field repeats,
 * as JSON.parse keeps the last); rowFields.ts turns them into columns.
 *
 * Rejected rows go to `rejects` as REJECT_WIDTH i32 each:
 *   [row, code, detail, at, rowStart, rowEnd, item, 0]
 * row = 1-based line (or message index), code = REJECT_*, detail = the
 * syntax code / JSON kind / slot / cell count, at = byte offset of the
 * error in the input, rowStart/rowEnd = the row's bytes, item = 1-based
 * element in a message or array (0 if none).
 */
import { STATUS_OK, E_SCAN_SLOT, E_SCAN_TYPES_FULL } from "./abi";
import { FIELD_ABSENT as ABI_FIELD_ABSENT, FIELD_STRING as ABI_FIELD_STRING, FIELD_NUMBER as ABI_FIELD_NUMBER, FIELD_TRUE as ABI_FIELD_TRUE, FIELD_FALSE as ABI_FIELD_FALSE, FIELD_NULL as ABI_FIELD_NULL, FIELD_OBJECT as ABI_FIELD_OBJECT, FIELD_ARRAY as ABI_FIELD_ARRAY, FIELD_CSV as ABI_FIELD_CSV, FIELD_CSV_QUOTED as ABI_FIELD_CSV_QUOTED } from "./abi";
import { R_ROW, R_CODE, R_DETAIL, R_AT, R_ROW_START, R_ROW_END, R_ITEM } from "./abi";
import { SLOT_TIME, SLOT_VALUE, SLOT_TYPE, SLOT_KEY0, MAX_KEY_COLUMNS, REJECT_SYNTAX, REJECT_NOT_OBJECT, REJECT_FIELD, REJECT_LINE_TOO_LONG, REJECT_CSV_CELLS, REJECT_CSV_UNTERMINATED, REJECT_CSV_AFTER_QUOTE, REJECT_EMPTY_MESSAGE, REJECT_ELEMENT_NOT_OBJECT, REJECT_WIDTH } from "./abi";
export { SLOT_TIME, SLOT_VALUE, SLOT_TYPE, SLOT_KEY0, MAX_KEY_COLUMNS, REJECT_SYNTAX, REJECT_NOT_OBJECT, REJECT_FIELD, REJECT_LINE_TOO_LONG, REJECT_CSV_CELLS, REJECT_CSV_UNTERMINATED, REJECT_CSV_AFTER_QUOTE, REJECT_EMPTY_MESSAGE, REJECT_ELEMENT_NOT_OBJECT, REJECT_WIDTH };
import { growZeroed } from "./buffers";

export const MAX_SLOTS: i32 = SLOT_KEY0 + MAX_KEY_COLUMNS;

/** Kinds of a captured field value. */
export const FIELD_ABSENT: u8 = <u8>ABI_FIELD_ABSENT;
export const FIELD_STRING: u8 = <u8>ABI_FIELD_STRING;
export const FIELD_NUMBER: u8 = <u8>ABI_FIELD_NUMBER;
export const FIELD_TRUE: u8 = <u8>ABI_FIELD_TRUE;
export const FIELD_FALSE: u8 = <u8>ABI_FIELD_FALSE;
export const FIELD_NULL: u8 = <u8>ABI_FIELD_NULL;
export const FIELD_OBJECT: u8 = <u8>ABI_FIELD_OBJECT;
export const FIELD_ARRAY: u8 = <u8>ABI_FIELD_ARRAY;
/** A CSV cell: text without quotes (quoted cells with doubled quotes are FIELD_CSV_QUOTED). */
export const FIELD_CSV: u8 = <u8>ABI_FIELD_CSV;
export const FIELD_CSV_QUOTED: u8 = <u8>ABI_FIELD_CSV_QUOTED;


/** Slot names: address and length in `names` (len -1 = slot unused). */
export const slotNamePtr = new StaticArray<usize>(MAX_SLOTS);
export const slotNameLen = new StaticArray<i32>(MAX_SLOTS);
export let keyColumns: i32 = 0;
let names: usize = 0;
let namesLen: usize = 0;
let namesCap: usize = 0;

/** Captured values of the current row, per slot. */
export const fieldKind = new StaticArray<u8>(MAX_SLOTS);
export const fieldStart = new StaticArray<usize>(MAX_SLOTS);
export const fieldEnd = new StaticArray<usize>(MAX_SLOTS);
export const fieldEscaped = new StaticArray<bool>(MAX_SLOTS);
/** The double of a number value (FIELD_NUMBER), parsed while scanning. */
export const fieldNumber = new StaticArray<f64>(MAX_SLOTS);

/** Event-type names sequence patterns use: id = position; others get `typeOther`. */
const MAX_TYPES: i32 = 256;
export const typeNamePtr = new StaticArray<usize>(MAX_TYPES);
export const typeNameLen = new StaticArray<i32>(MAX_TYPES);
export let typeCount: i32 = 0;
export let typeOther: i32 = 0;

/** Raw input bytes the host copies in. */
export let scanBytes: usize = 0;
export let scanBytesCap: usize = 0;

/** Rejected rows of the last scan. */
export let rejects: usize = 0;
export let rejectCount: i32 = 0;
let rejectCap: i32 = 0;

/** Makes the byte buffer hold `n` bytes (old contents not kept); returns its address. */
export function scanBytesReserve(n: usize): usize {
  if (n > scanBytesCap) {
    let cap = scanBytesCap < 65536 ? <usize>65536 : scanBytesCap;
    while (cap < n) cap <<= 1;
    // +8: scanners may read a word past the end without a bounds check
    if (scanBytes != 0) heap.free(scanBytes);
    scanBytes = growZeroed(0, 0, cap + 8);
    scanBytesCap = cap;
  }
  return scanBytes;
}

/** Forgets all slots and types. */
export function scanConfigReset(): void {
  for (let s = 0; s < MAX_SLOTS; s++) unchecked(slotNameLen[s] = -1);
  keyColumns = 0;
  namesLen = 0;
  typeCount = 0;
  typeOther = 0;
}

function keepName(len: i32): usize {
  const need = namesLen + <usize>len;
  if (need > namesCap) {
    let cap = namesCap < 1024 ? <usize>1024 : namesCap;
    while (cap < need) cap <<= 1;
    const old = names;
    names = growZeroed(names, namesCap, cap);
    namesCap = cap;
    // names moved: rebase the slot and type addresses
    if (old != 0 && old != names) {
      for (let s = 0; s < MAX_SLOTS; s++) if (unchecked(slotNameLen[s]) >= 0) unchecked(slotNamePtr[s] = slotNamePtr[s] - old + names);
      for (let t = 0; t < typeCount; t++) unchecked(typeNamePtr[t] = typeNamePtr[t] - old + names);
    }
  }
  const at = names + namesLen;
  memory.copy(at, scanBytes, <usize>len);
  namesLen += <usize>len;
  return at;
}

/** Names slot `slot` with the `len` bytes at the start of the byte buffer; STATUS_OK, or E_SCAN_SLOT for a bad slot. */
export function scanSetField(slot: i32, len: i32): i32 {
  if (slot < 0 || slot >= MAX_SLOTS || len < 0) return E_SCAN_SLOT;
  unchecked(slotNamePtr[slot] = keepName(len));
  unchecked(slotNameLen[slot] = len);
  if (slot >= SLOT_KEY0 && slot - SLOT_KEY0 + 1 > keyColumns) keyColumns = slot - SLOT_KEY0 + 1;
  return STATUS_OK;
}

/** Adds an event-type name (bytes at the start of the byte buffer); returns its id, or −E_SCAN_TYPES_FULL when full. */
export function scanAddType(len: i32): i32 {
  if (typeCount == MAX_TYPES || len < 0) return -E_SCAN_TYPES_FULL;
  unchecked(typeNamePtr[typeCount] = keepName(len));
  unchecked(typeNameLen[typeCount] = len);
  typeCount++;
  typeOther = typeCount;
  return typeCount - 1;
}

/** Records the value at [start, end) (and its double, for numbers) for every slot in `mask`. */
export function capture(mask: u64, kind: u8, start: usize, end: usize, escaped: bool, number: f64): void {
  while (mask != 0) {
    const s = <i32>ctz(mask);
    mask &= mask - 1;
    unchecked(fieldKind[s] = kind);
    unchecked(fieldStart[s] = start);
    unchecked(fieldEnd[s] = end);
    unchecked(fieldEscaped[s] = escaped);
    unchecked(fieldNumber[s] = number);
  }
}

/** Clears the captured fields before a row. */
@inline export function clearFields(): void {
  memory.fill(changetype<usize>(fieldKind), 0, <usize>MAX_SLOTS);
}

/** Lines the last scan went through (blank and rejected ones included). */
export let scanLines: i32 = 0;

/** Records how many lines the scan went through. */
export function setScanLines(n: i32): void {
  scanLines = n;
}

/** Empties the reject list before a scan. */
export function rejectsReset(): void {
  rejectCount = 0;
}

/** Drops the rejects after the first `count` (a message taken back). */
export function rejectsTruncate(count: i32): void {
  if (count < rejectCount) rejectCount = count;
}

/** Appends a rejected row. */
export function reject(row: i32, code: i32, detail: i32, at: usize, rowStart: usize, rowEnd: usize, item: i32): void {
  if (rejectCount == rejectCap) {
    const cap = rejectCap < 256 ? 256 : rejectCap << 1;
    rejects = growZeroed(rejects, <usize>rejectCap * REJECT_WIDTH * 4, <usize>cap * REJECT_WIDTH * 4);
    rejectCap = cap;
  }
  const r = rejects + <usize>rejectCount * REJECT_WIDTH * 4;
  store<i32>(r, row, <usize>R_ROW << 2);
  store<i32>(r, code, <usize>R_CODE << 2);
  store<i32>(r, detail, <usize>R_DETAIL << 2);
  store<i32>(r, <i32>(at - scanBytes), <usize>R_AT << 2);
  store<i32>(r, <i32>(rowStart - scanBytes), <usize>R_ROW_START << 2);
  store<i32>(r, <i32>(rowEnd - scanBytes), <usize>R_ROW_END << 2);
  store<i32>(r, item, <usize>R_ITEM << 2);
  store<i32>(r, 0, <usize>(REJECT_WIDTH - 1) << 2);
  rejectCount++;
}

// Slots start unused.
scanConfigReset();
