/**
 * CSV rows → input columns, by the rules of the host's CSV reader
 * (src/sources/csv.ts): RFC 4180 quoting within one line (a cell that starts
 * with `"` runs to the closing quote, `""` inside it is one quote, and the
 * closing quote must end the cell); a quote inside an unquoted cell is a
 * literal character; an empty unquoted cell is a missing field, a quoted
 * empty cell an empty string; blank lines are skipped; a row with another
 * number of cells than the header is rejected (REJECT_CSV_CELLS, detail =
 * cells found). The host reads the header and maps its columns to slots
 * (scanCsvColumns / scanCsvMap) before the first scan.
 */
import { STATUS_OK, E_CSV_COLUMNS, E_CSV_MAP } from "./abi";
import {
  scanBytes, clearFields, reject, rejectsReset, setScanLines, capture,
  FIELD_CSV, FIELD_CSV_QUOTED, REJECT_CSV_CELLS, REJECT_CSV_UNTERMINATED, REJECT_CSV_AFTER_QUOTE, REJECT_LINE_TOO_LONG,
} from "./scanConfig";
import { finishRow } from "./rowFields";
import { trimStart } from "./parseTimestamp";
import { prepareRows, roomForRow } from "./scanRows";
import { growZeroed } from "./buffers";
import { lineEnd } from "./ndjsonScan";
import { objectSlotsRefresh } from "./jsonObject";

/** Columns of the header, and for each the slots it fills (bit s = slot s). */
let columns: i32 = 0;
let columnSlots: usize = 0;
let columnCap: i32 = 0;

/** Starts a header of `count` columns, none mapped yet; STATUS_OK or E_CSV_COLUMNS. */
export function scanCsvColumns(count: i32): i32 {
  if (count < 0) return E_CSV_COLUMNS;
  if (count > columnCap) {
    columnSlots = growZeroed(columnSlots, <usize>columnCap << 3, <usize>count << 3);
    columnCap = count;
  }
  memory.fill(columnSlots, 0, <usize>count << 3);
  columns = count;
  return STATUS_OK;
}

/** Column `column` fills slot `slot`; STATUS_OK or E_CSV_MAP. */
export function scanCsvMap(column: i32, slot: i32): i32 {
  if (column < 0 || column >= columns || slot < 0 || slot >= 64) return E_CSV_MAP;
  store<u64>(columnSlots + (<usize>column << 3), load<u64>(columnSlots + (<usize>column << 3)) | (<u64>1 << <u64>slot));
  return STATUS_OK;
}

/** Records cell [start, end) of column c for the slots it fills. */
@inline function cell(c: i32, kind: u8, start: usize, end: usize): void {
  if (c < columns) capture(load<u64>(columnSlots + (<usize>c << 3)), kind, start, end, false, 0);
}

/**
 * Splits line [p, stop) into cells, capturing the mapped ones; returns the
 * number of cells, or -1 after recording a quote error as a reject.
 */
function splitLine(p: usize, stop: usize, line: i32, lineStart: usize): i32 {
  let c = 0;
  while (true) {
    if (p < stop && load<u8>(p) == 0x22) {
      // quoted: to the quote not followed by another
      const open = p;
      let q = p + 1;
      let doubled = false;
      while (true) {
        while (q < stop && load<u8>(q) != 0x22) q++;
        if (q >= stop) {
          reject(line, REJECT_CSV_UNTERMINATED, 0, open, lineStart, stop, 0);
          return -1;
        }
        if (q + 1 < stop && load<u8>(q + 1) == 0x22) {
          doubled = true;
          q += 2;
          continue;
        }
        break;
      }
      // q is the closing quote
      cell(c, doubled ? FIELD_CSV_QUOTED : FIELD_CSV, doubled ? open : open + 1, doubled ? q + 1 : q);
      c++;
      p = q + 1;
      if (p == stop) return c;
      if (load<u8>(p) != 0x2c) {
        reject(line, REJECT_CSV_AFTER_QUOTE, 0, p, lineStart, stop, 0);
        return -1;
      }
      p++;
    } else {
      let q = p;
      // to the next comma, eight bytes at a time (a word holds a comma when w ^ ',,,,' has a zero byte)
      while (q + 8 <= stop) {
        const w = load<u64>(q) ^ 0x2c2c2c2c2c2c2c2c;
        const zero = (w - 0x0101010101010101) & ~w & 0x8080808080808080;
        if (zero != 0) {
          q += <usize>(ctz(zero) >> 3);
          break;
        }
        q += 8;
      }
      while (q < stop && load<u8>(q) != 0x2c) q++;
      // an empty unquoted cell is a missing field: nothing captured
      if (q > p) cell(c, FIELD_CSV, p, q);
      c++;
      if (q >= stop) return c;
      p = q + 1;
    }
  }
  return c;
}

/**
 * Scans `len` bytes of CSV rows (no header) whose first line is `firstLine`;
 * returns the rows written, or -1 when they do not fit in one batch.
 */
export function scanCsv(len: i32, firstLine: i32, maxLineBytes: i32): i32 {
  rejectsReset();
  objectSlotsRefresh();
  prepareRows(len);
  let p = scanBytes;
  const end = scanBytes + <usize>len;
  let line = firstLine;
  let n = 0;
  while (p < end) {
    const lf = lineEnd(p, end);
    let stop = lf;
    if (stop > p && load<u8>(stop - 1) == 0x0d) stop--;
    if (<i32>(stop - p) > maxLineBytes) {
      reject(line, REJECT_LINE_TOO_LONG, maxLineBytes, p, p, stop, 0);
    } else if (trimStart(p, stop) < stop) {
      clearFields();
      const cells = splitLine(p, stop, line, p);
      if (cells >= 0) {
        if (cells != columns) reject(line, REJECT_CSV_CELLS, cells, p, p, stop, 0);
        else {
          if (!roomForRow(n)) { setScanLines(line - firstLine); return -1; }
          if (finishRow(n, line, p, stop, 0)) n++;
        }
      }
    }
    line++;
    p = lf + 1;
  }
  setScanLines(line - firstLine);
  return n;
}
