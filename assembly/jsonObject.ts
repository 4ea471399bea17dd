/**
 * One JSON object read for its configured fields: every member's name is
 * compared with the slot names (scanConfig.ts); a match records the
 * member value's kind and span, anything else is skipped (validated, never
 * built), whatever it nests. The whole object is checked, so an invalid
 * object is rejected as a whole, never half-read.
 */
import {
  MAX_SLOTS, slotNamePtr, slotNameLen, capture,
  FIELD_STRING, FIELD_NUMBER, FIELD_TRUE, FIELD_FALSE, FIELD_NULL, FIELD_OBJECT, FIELD_ARRAY, keyColumns, SLOT_KEY0,
} from "./scanConfig";
import { skipWs, scanString, skipValue, skipNumber, decodeString, fail, stringEscaped, SYNTAX_END, SYNTAX_UNEXPECTED } from "./jsonText";
import { scanNumber, numberValue } from "./parseNumber";
import { bytesEqual } from "./buffers";

/** Scratch for decoding escaped member names. */
let nameScratch: usize = 0;
let nameScratchCap: usize = 0;

/** Slots in use (the highest + 1), set by the scanners before a scan. */
let slotsInUse: i32 = MAX_SLOTS;

/** Recomputes how many slots to compare against (call after configuring). */
export function objectSlotsRefresh(): void {
  slotsInUse = SLOT_KEY0 + keyColumns;
}


/** Bit s set for every slot s named [name, name+len). */
function slotsNamed(name: usize, len: i32): u64 {
  let mask: u64 = 0;
  for (let s = 0; s < slotsInUse; s++) {
    if (unchecked(slotNameLen[s]) == len && bytesEqual(unchecked(slotNamePtr[s]), name, <usize>len)) mask |= <u64>1 << <u64>s;
  }
  return mask;
}

/** Reads the object whose `{` is at p; returns the address after its `}` (0 on a syntax error). */
export function scanObject(p: usize, end: usize): usize {
  p = skipWs(p + 1, end);
  if (p >= end) return fail(SYNTAX_END, p);
  if (load<u8>(p) == 0x7d) return p + 1;
  while (true) {
    if (p >= end) return fail(SYNTAX_END, p);
    if (load<u8>(p) != 0x22) return fail(SYNTAX_UNEXPECTED, p);
    const nameStart = p + 1;
    p = scanString(p, end);
    if (p == 0) return 0;
    let name = nameStart;
    let nameLen = <i32>(p - 1 - nameStart);
    if (stringEscaped) {
      // names with escapes are compared decoded ("\u0076alue" is "value")
      const need = <usize>nameLen + 8;
      if (need > nameScratchCap) {
        if (nameScratch != 0) heap.free(nameScratch);
        nameScratchCap = need < 256 ? 256 : need;
        nameScratch = heap.alloc(nameScratchCap);
      }
      nameLen = decodeString(nameStart - 1, p, nameScratch);
      name = nameScratch;
    }
    p = skipWs(p, end);
    if (p >= end) return fail(SYNTAX_END, p);
    if (load<u8>(p) != 0x3a) return fail(SYNTAX_UNEXPECTED, p);
    p = skipWs(p + 1, end);
    if (p >= end) return fail(SYNTAX_END, p);
    const start = p;
    const c = <u32>load<u8>(p);
    const mask = slotsNamed(name, nameLen);
    let kind: u8;
    let escaped = false;
    let number: f64 = 0;
    if (c == 0x22) {
      p = scanString(p, end);
      escaped = stringEscaped;
      kind = FIELD_STRING;
    } else if (c == 0x2d || c - 0x30 < 10) {
      // a wanted number is converted in the same pass that checks it; others are only checked
      const after = mask != 0 ? scanNumber(p, end, true) : 0;
      if (after != 0) {
        number = numberValue();
        p = after;
      } else {
        p = skipNumber(p, end);
      }
      kind = FIELD_NUMBER;
    } else {
      p = skipValue(p, end);
      kind = c == 0x74 ? FIELD_TRUE : c == 0x66 ? FIELD_FALSE : c == 0x6e ? FIELD_NULL : c == 0x7b ? FIELD_OBJECT : FIELD_ARRAY;
    }
    if (p == 0) return 0;
    if (mask != 0) capture(mask, kind, start, p, escaped, number);
    p = skipWs(p, end);
    if (p >= end) return fail(SYNTAX_END, p);
    const d = load<u8>(p);
    if (d == 0x7d) return p + 1;
    if (d != 0x2c) return fail(SYNTAX_UNEXPECTED, p);
    p = skipWs(p + 1, end);
  }
  return 0;
}
