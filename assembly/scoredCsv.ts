/**
 * `eddy detect`'s output lines, `time,value,score\n`, written in the core
 * from the scan it just ran: the time and value cells are copied from the
 * input bytes where the scanner found them (rowFields' field spans), the
 * score is the events stage's output formatted as String(score) would.
 * The host copies the block of lines out once per slice; no string per row.
 *
 * A cell is copied only when that gives what the host's CSV writer would
 * write (an unquoted cell without a double quote, or an absent one, as an
 * empty cell): at the first row with any other cell the call stops, and the
 * host writes that row itself (src/engine/scoredCsv.ts) before going on.
 */
import { allocZeroed, release } from "./buffers";
import { fieldSpans, keepingFieldSpans, SPAN_ROW_BYTES, SPAN_TIME_AT, SPAN_VALUE_AT } from "./rowFields";
import { scanBytes, FIELD_ABSENT, FIELD_CSV } from "./scanConfig";
import { stages, STAGE_EVENTS, STAGE_SCORE_AT } from "./stage";
import { formatNumber } from "./formatNumber";

const COMMA: u8 = 0x2c;
const LF: u8 = 0x0a;
const QUOTE: u8 = 0x22;
/** Bytes a score can take: formatNumber writes at most 26, plus the comma and newline around it. */
const SCORE_ROOM: usize = 32;

let out: usize = 0;
let outCap: usize = 0;
let outLen: usize = 0;

/** Address of the lines the last scoredCsvLines call wrote. */
export function scoredCsvPtr(): usize {
  return out;
}

/** Bytes the last scoredCsvLines call wrote. */
export function scoredCsvLength(): i32 {
  return <i32>outLen;
}

function room(n: usize): void {
  if (outLen + n <= outCap) return;
  let cap = outCap < 65536 ? <usize>65536 : outCap;
  while (cap < outLen + n) cap <<= 1;
  const grown = allocZeroed(cap);
  if (out != 0) {
    memory.copy(grown, out, outLen);
    release(out);
  }
  out = grown;
  outCap = cap;
}

/** Copies the cell whose span is at `span`; false (nothing kept) if the host must write it. */
function copyCell(span: usize): bool {
  const kind = load<i32>(span);
  if (kind == <i32>FIELD_ABSENT) return true;
  if (kind != <i32>FIELD_CSV) return false;
  const start = scanBytes + <usize>load<i32>(span, 4);
  const end = scanBytes + <usize>load<i32>(span, 8);
  if (end < start) return false;
  room(end - start);
  let w = out + outLen;
  for (let p = start; p < end; p++) {
    const b = load<u8>(p);
    if (b == QUOTE) return false;
    store<u8>(w++, b);
  }
  outLen = w - out;
  return true;
}

/**
 * Writes the lines of rows [from, to) of the current slice (input rows with
 * their events-stage records) at scoredCsvPtr(); returns how many rows it
 * wrote from `from` on — fewer than asked when a row needs the host.
 */
export function scoredCsvLines(from: i32, to: i32): i32 {
  outLen = 0;
  const stage = stages[STAGE_EVENTS];
  if (!keepingFieldSpans() || from < 0) return 0;
  if (to > stage.out.count) to = stage.out.count; // never past the rows that have spans and scores
  const width = <usize>stage.out.width << 3;
  for (let r = from; r < to; r++) {
    const lineStart = outLen;
    const span = fieldSpans + <usize>r * <usize>SPAN_ROW_BYTES;
    if (!copyCell(span + SPAN_TIME_AT)) { outLen = lineStart; return r - from; }
    room(1);
    store<u8>(out + outLen++, COMMA);
    if (!copyCell(span + SPAN_VALUE_AT)) { outLen = lineStart; return r - from; }
    room(SCORE_ROOM);
    store<u8>(out + outLen++, COMMA);
    const score = load<f64>(stage.out.ptr + <usize>r * width + STAGE_SCORE_AT);
    // a non-finite score (none can be) is written 0, as the host writes it
    outLen += <usize>(isFinite(score) ? formatNumber(score, out + outLen) : formatNumber(0, out + outLen));
    store<u8>(out + outLen++, LF);
  }
  return to - from;
}
