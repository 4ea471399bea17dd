/**
 * A whole JSON document → input columns: an array whose elements are the
 * events, or one object (one event) — an HTTP `application/json` body, a
 * Kafka message value. Element i (1-based) is row i; an element that is not
 * an object is REJECT_ELEMENT_NOT_OBJECT, a bad field REJECT_FIELD. Invalid
 * JSON anywhere rejects the whole document (one REJECT_SYNTAX with row 0,
 * no rows, and the keys the document had interned are removed again): it is
 * never half-read.
 */
import { scanBytes, clearFields, reject, rejectsReset, setScanLines, REJECT_ELEMENT_NOT_OBJECT } from "./scanConfig";
import { skipWs, skipValue, fail, SYNTAX_END, SYNTAX_UNEXPECTED } from "./jsonText";
import { scanObject, objectSlotsRefresh } from "./jsonObject";
import { finishRow } from "./rowFields";
import { jsonKindOf, prepareRows, roomForRow, rejectSyntax } from "./scanRows";
import { keyTotal, keyTruncate } from "./keyTable";

/** Reads one element at p as row `item`; returns the address after it (0 on a syntax error). */
function element(p: usize, end: usize, item: i32, n: i32): usize {
  if (p >= end) return fail(SYNTAX_END, p);
  if (load<u8>(p) == 0x7b) {
    clearFields();
    const r = scanObject(p, end);
    if (r != 0 && finishRow(n, item, p, r, item)) rowsWritten++;
    return r;
  }
  const r = skipValue(p, end);
  if (r != 0) reject(item, REJECT_ELEMENT_NOT_OBJECT, jsonKindOf(<u32>load<u8>(p)), p, p, r, item);
  return r;
}

let rowsWritten = 0;

/**
 * Scans the `len`-byte document in the byte buffer; returns the rows
 * written, -1 for invalid JSON, -2 when more than one batch holds.
 */
export function scanJsonDocument(len: i32): i32 {
  rejectsReset();
  objectSlotsRefresh();
  prepareRows(len);
  const keysBefore = keyTotal;
  const end = scanBytes + <usize>len;
  rowsWritten = 0;
  let items = 0;
  let p = skipWs(scanBytes, end);
  let ok = true;
  if (p < end && load<u8>(p) == 0x5b) {
    p = skipWs(p + 1, end);
    if (p < end && load<u8>(p) == 0x5d) {
      p++;
    } else {
      while (true) {
        if (!roomForRow(rowsWritten)) { keyTruncate(keysBefore); return -2; }
        items++;
        p = element(p, end, items, rowsWritten);
        if (p == 0) { ok = false; break; }
        p = skipWs(p, end);
        if (p >= end) { fail(SYNTAX_END, p); ok = false; break; }
        const c = load<u8>(p);
        if (c == 0x2c) { p = skipWs(p + 1, end); continue; }
        if (c == 0x5d) { p++; break; }
        fail(SYNTAX_UNEXPECTED, p);
        ok = false;
        break;
      }
    }
  } else {
    items = 1;
    p = element(p, end, 1, 0);
    ok = p != 0;
  }
  if (ok) {
    p = skipWs(p, end);
    if (p != end) { fail(SYNTAX_UNEXPECTED, p); ok = false; }
  }
  setScanLines(items);
  if (!ok) {
    keyTruncate(keysBefore);
    rejectsReset();
    rejectSyntax(0, scanBytes, end, 0);
    return -1;
  }
  return rowsWritten;
}
