/**
 * `eddy detect`'s output rows, `time,value,score`, as bytes straight from
 * the scanned input. The core writes the lines (assembly/scoredCsv.ts: time
 * and value cells copied from where the scan found them, the score as
 * String(score) writes it) and the host copies them out once per slice.
 *
 * A cell is copied as is only when copying gives what the CSV writer would
 * write (src/engine/csvFormat.ts): an unquoted cell without a double quote.
 * At a row with a quoted cell, or an unquoted one holding `"`, the core
 * stops and that row is written here by csvLine from its decoded cells, so
 * the bytes equal csvLine([time, value, score]) in every case.
 */
import { SPAN_TIME, SPAN_VALUE } from '../core/exports.js';
import type { CoreScanner } from '../core/coreScanner.js';
import { csvLine } from './csvFormat.js';

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
    for (let r = from; r < to; r++) {
      const written = this.scanner.scoredLines(r, to);
      out.room(written.bytes.length);
      out.data.set(written.bytes, out.length);
      out.length += written.bytes.length;
      r += written.rows;
      if (r === to) break;
      // row r has a cell the core does not copy (quoted, or holding a quote): decoded, written as the CSV writer writes it
      out.text(csvLine([this.scanner.fieldValue(r, SPAN_TIME), this.scanner.fieldValue(r, SPAN_VALUE), scoreOf(r)]));
    }
    return out.data.slice(0, out.length);
  }
}
