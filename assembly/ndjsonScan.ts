/**
 * NDJSON → input columns: one JSON object per line, LF or CRLF, a UTF-8
 * byte-order mark before line 1 ignored, blank lines (JavaScript whitespace
 * only) skipped. Each line is exactly one JSON value or it is rejected:
 * invalid JSON (REJECT_SYNTAX), another kind of value (REJECT_NOT_OBJECT),
 * a line over the limit (REJECT_LINE_TOO_LONG), or a field the query needs
 * (REJECT_FIELD, rowFields.ts). A final line without LF counts.
 */
import { scanBytes, clearFields, reject, rejectsReset, setScanLines, REJECT_NOT_OBJECT, REJECT_LINE_TOO_LONG } from "./scanConfig";
import { skipWs, skipValue, SYNTAX_UNEXPECTED, fail } from "./jsonText";
import { scanObject, objectSlotsRefresh } from "./jsonObject";
import { finishRow } from "./rowFields";
import { trimStart } from "./parseTimestamp";
import { jsonKindOf, prepareRows, roomForRow, rejectSyntax } from "./scanRows";

/** Index of the next LF at or after p, or end. */
@inline export function lineEnd(p: usize, end: usize): usize {
  // eight bytes at a time: a word has an LF byte when (w ^ 0x0a…) has a zero byte
  while (p + 8 <= end) {
    const w = load<u64>(p) ^ 0x0a0a0a0a0a0a0a0a;
    const zero = (w - 0x0101010101010101) & ~w & 0x8080808080808080;
    if (zero != 0) return p + <usize>(ctz(zero) >> 3);
    p += 8;
  }
  while (p < end && load<u8>(p) != 0x0a) p++;
  return p;
}

/** When set, the line limit counts UTF-16 code units (JavaScript string length) instead of bytes. */
let limitInUnits = false;

/** Makes the NDJSON line limit count UTF-16 code units (true) or bytes (false). */
export function setLineLimitUnits(on: bool): void {
  limitInUnits = on;
}

/** UTF-16 code units of the UTF-8 text [p, end): one per sequence, two for a 4-byte one. */
function utf16Units(p: usize, end: usize): i32 {
  let units = 0;
  for (; p < end; p++) {
    const b = <u32>load<u8>(p);
    if ((b & 0xc0) != 0x80) units++;
    if (b >= 0xf0) units++;
  }
  return units;
}

/**
 * Scans the first `len` bytes of the byte buffer, whose first line is line
 * `firstLine`; returns the number of rows written (rejects in scanConfig.ts),
 * or -1 when the rows do not fit in one batch.
 */
export function scanNdjson(len: i32, firstLine: i32, maxLineBytes: i32): i32 {
  rejectsReset();
  objectSlotsRefresh();
  prepareRows(len);
  let p = scanBytes;
  const end = scanBytes + <usize>len;
  if (firstLine == 1 && len >= 3 && load<u8>(p) == 0xef && load<u8>(p + 1) == 0xbb && load<u8>(p + 2) == 0xbf) p += 3;
  let line = firstLine;
  let n = 0;
  while (p < end) {
    const lf = lineEnd(p, end);
    let stop = lf;
    if (stop > p && load<u8>(stop - 1) == 0x0d) stop--;
    // units ≤ bytes, so they are only counted for a line over the limit in bytes
    if (<i32>(stop - p) > maxLineBytes && (!limitInUnits || utf16Units(p, stop) > maxLineBytes)) {
      reject(line, REJECT_LINE_TOO_LONG, maxLineBytes, p, p, stop, 0);
    } else if (trimStart(p, stop) < stop) {
      const q = skipWs(p, stop);
      if (q < stop && load<u8>(q) == 0x7b) {
        clearFields();
        let r = scanObject(q, stop);
        if (r != 0) {
          r = skipWs(r, stop);
          if (r != stop) r = fail(SYNTAX_UNEXPECTED, r);
        }
        if (r == 0) rejectSyntax(line, p, stop, 0);
        else {
          if (!roomForRow(n)) { setScanLines(line - firstLine); return -1; }
          if (finishRow(n, line, p, stop, 0)) n++;
        }
      } else {
        let r = skipValue(q, stop);
        if (r != 0) {
          r = skipWs(r, stop);
          if (r != stop) r = fail(SYNTAX_UNEXPECTED, r);
        }
        if (r == 0) rejectSyntax(line, p, stop, 0);
        else reject(line, REJECT_NOT_OBJECT, jsonKindOf(<u32>load<u8>(q)), q, p, stop, 0);
      }
    }
    line++;
    p = lf + 1;
  }
  setScanLines(line - firstLine);
  return n;
}
