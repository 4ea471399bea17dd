/**
 * Cutting a stream of byte chunks into pieces of whole lines for the core's
 * scanners, with the line numbers and memory bound of the tests' line
 * splitter (test/reference/lineSplitter.ts): the unfinished tail of a chunk waits for the next
 * one, never more than `maxLineBytes + 1` bytes of it; a tail that grows
 * past that is reported as an overlong line and its bytes are skipped up to
 * the next newline. Lines inside a piece are numbered by the core, which
 * also rejects the overlong ones it sees whole.
 */
import { clipRaw, MAX_RAW_CHARS, type InputError } from './inputError.js';
import { lineTooLongReason } from './scanReasons.js';

const LF = 0x0a;
const HEAD_BYTES = MAX_RAW_CHARS * 4;
const decoder = new TextDecoder();

/** Whole lines to scan: the byte parts, in order, and the number of the first line. */
export interface LinePiece {
  parts: Uint8Array[];
  length: number;
  firstLine: number;
}

export class LineCarry {
  private carry: Uint8Array | undefined;
  private line = 1;
  private skipping = false;
  private skippedHead = '';

  constructor(
    private readonly maxLineBytes: number,
    private readonly source: string,
  ) {}

  /** The next line's number. */
  get nextLine(): number {
    return this.line;
  }

  /** Counts `lines` lines as scanned. */
  advance(lines: number): void {
    this.line += lines;
  }

  /**
   * Takes a chunk (`end`: the last one, possibly empty); returns the whole
   * lines ready to scan, or undefined. Overlong lines skipped here go to `errors`.
   */
  take(data: Uint8Array, end: boolean, errors: InputError[]): LinePiece | undefined {
    let from = 0;
    if (this.skipping) {
      const lf = data.indexOf(LF);
      if (lf === -1 && !end) return undefined;
      errors.push({ source: this.source, line: this.line, reason: lineTooLongReason(this.maxLineBytes), raw: this.skippedHead });
      this.line++;
      this.skipping = false;
      this.skippedHead = '';
      if (lf === -1) return undefined;
      from = lf + 1;
    }
    const stop = end ? data.length : data.lastIndexOf(LF) + 1;
    if (stop <= from) {
      if (!end) this.keep(data.subarray(from));
      else if (this.carry) return this.piece([this.carryOut()]);
      return undefined;
    }
    const parts = this.carry ? [this.carryOut(), data.subarray(from, stop)] : [data.subarray(from, stop)];
    if (stop < data.length) this.keep(data.subarray(stop));
    return this.piece(parts);
  }

  private piece(parts: Uint8Array[]): LinePiece {
    return { parts, length: parts.reduce((n, p) => n + p.length, 0), firstLine: this.line };
  }

  private carryOut(): Uint8Array {
    const c = this.carry!;
    this.carry = undefined;
    return c;
  }

  /** Holds an unfinished line (a copy: a view would pin the whole chunk), or starts skipping it. */
  private keep(tail: Uint8Array): void {
    const held = this.carry ? this.carry.length : 0;
    if (held + tail.length > this.maxLineBytes + 1) {
      const head = new Uint8Array(Math.min(HEAD_BYTES, held + tail.length));
      if (this.carry) head.set(this.carry.subarray(0, head.length));
      if (held < head.length) head.set(tail.subarray(0, head.length - held), held);
      let text = decoder.decode(head);
      if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.skippedHead = clipRaw(text);
      this.carry = undefined;
      this.skipping = true;
      return;
    }
    const next = new Uint8Array(held + tail.length);
    if (this.carry) next.set(this.carry);
    next.set(tail, held);
    this.carry = next;
  }
}
