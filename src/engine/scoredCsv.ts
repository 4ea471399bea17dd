/**
 * `eddy detect`'s output rows, `time,value,score`, as bytes straight from
 * the scanned input. The core writes the lines (assembly/scoredCsv.ts: time
 * and value cells copied from where the scan found them, the score as
 * String(score) writes it) and the host copies them out once per slice.
 *
 * A cell is copied as is only when copying gives what the CSV writer would
 * write (src/engine/csvFormat.ts): an unquoted cell without a double quote.
 * At a row with a quoted cell, or an unquoted one holding `"`, the core
 * stops and that row is written here, its cells decoded and written by
 * csvField, so the bytes equal csvLine([time, value, score]) in every case.
 */
import { FIELD_ABSENT, FIELD_CSV, SPAN_FIELDS, SPAN_TIME, SPAN_VALUE } from '../core/exports.js';
import type { CoreScanner } from '../core/coreScanner.js';
import { csvField } from './csvFormat.js';

const COMMA = 0x2c;
const LF = 0x0a;
const QUOTE = 0x22;
const INTS_PER_SPAN = 3;
const textEncoder = new TextEncoder();

/** Grows a byte buffer as lines are appended. */
class Bytes {
  data = new Uint8Array(1 << 16);
  length = 0;

  room(n: number): void {
    if (this.length + n <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.length += textEncoder.encodeInto(s, this.data.subarray(this.length)).written;
  }

  /** ASCII text (a formatted number). */
  ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.data[this.length++] = s.charCodeAt(i);
  }

  byte(b: number): void {
    this.room(1);
    this.data[this.length++] = b;
  }
}

/** Writes scanned rows with their scores as CSV bytes. */
export class ScoredCsvWriter {
  private readonly out = new Bytes();

  /** @param scanner the scanner that scanned the rows, keeping field spans */
  constructor(private readonly scanner: CoreScanner) {}

  /**
   * Lines for rows [from, to) of the current slice; `scoreOf(r)` gives row
   * r's score text. Returns a copy the caller may keep (a stream may hold it).
   */
  lines(from: number, to: number, scoreOf: (row: number) => string): Uint8Array {
    const out = this.out;
    out.length = 0;
    const width = SPAN_FIELDS * INTS_PER_SPAN;
    for (let r = from; r < to; r++) {
      const written = this.scanner.scoredLines(r, to);
      out.room(written.bytes.length);
      out.data.set(written.bytes, out.length);
      out.length += written.bytes.length;
      r += written.rows;
      if (r === to) break;
      // row r has a cell the core does not copy
      const spans = this.scanner.spans(r + 1);
      const bytes = this.scanner.bufferView();
      const at = r * width;
      this.cell(spans, at + SPAN_TIME * INTS_PER_SPAN, bytes, r, 'time');
      out.byte(COMMA);
      this.cell(spans, at + SPAN_VALUE * INTS_PER_SPAN, bytes, r, 'value');
      out.byte(COMMA);
      out.ascii(scoreOf(r));
      out.byte(LF);
    }
    return out.data.slice(0, out.length);
  }

  private cell(spans: Int32Array, at: number, bytes: Uint8Array, row: number, field: 'time' | 'value'): void {
    const kind = spans[at]!;
    if (kind === FIELD_ABSENT) return;
    const start = spans[at + 1]!;
    const end = spans[at + 2]!;
    if (kind === FIELD_CSV) {
      // cells are short: a byte loop, no view per cell
      const out = this.out;
      out.room(end - start);
      const data = out.data;
      let o = out.length;
      let i = start;
      for (; i < end; i++) {
        const b = bytes[i]!;
        if (b === QUOTE) break;
        data[o++] = b;
      }
      if (i === end) {
        out.length = o;
        return;
      }
    }
    this.out.text(csvField(this.scanner.fieldValue(row, field === 'time' ? SPAN_TIME : SPAN_VALUE)));
  }
}
