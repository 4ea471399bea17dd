/**
 * Splitting a byte stream into numbered lines with bounded memory.
 *
 * Works on bytes, not characters: the newline byte 0x0A never occurs inside
 * a multi-byte UTF-8 sequence, so chunks can be cut anywhere and each line is
 * decoded once, whole. A trailing CR is dropped (CRLF files), a final line
 * without a newline still counts, and a UTF-8 byte-order mark at the very
 * start is removed.
 *
 * A line longer than the limit is not an exception but a rejected row: it is
 * reported (with its number and its first characters) and its bytes are
 * discarded up to the next newline instead of being collected, so a 2 GB
 * line without newlines costs at most the limit in memory.
 */
import { Buffer } from 'node:buffer';
import { clipRaw, MAX_RAW_CHARS } from '../../src/engine/inputError.js';

import { DEFAULT_MAX_LINE_BYTES } from '../../src/engine/limits.js';

export { DEFAULT_MAX_LINE_BYTES };

/**
 * One line of input. When `error` is set the line was refused (too long) and
 * `text` holds only its clipped beginning, for the error report.
 */
export interface Line {
  /** 1-based line number. */
  line: number;
  /** The line without its terminator (LF or CRLF). */
  text: string;
  /** Why the line was refused, e.g. "line longer than 1048576 bytes". */
  error?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
/** Bytes kept from an overlong line for its report: enough for MAX_RAW_CHARS characters of up to 4 bytes. */
const HEAD_BYTES = MAX_RAW_CHARS * 4;
const EMPTY = Buffer.alloc(0);

/**
 * Push-based splitter: feed chunks, get the lines they complete. Keeps the
 * unfinished tail of the current line between chunks, never more than
 * `maxLineBytes + 1` bytes of it (the +1 is a CR that may precede the LF).
 */
export class LineSplitter {
  /** Pieces of the current, unfinished line. */
  private parts: Buffer[] = [];
  /** Bytes in `parts`. */
  private partBytes = 0;
  /** True while discarding the rest of an overlong line. */
  private skipping = false;
  /** Beginning of the overlong line being discarded, for its report. */
  private skippedHead = '';
  /** Number of the last line emitted. */
  private lineNumber = 0;

  /** Creates a splitter refusing lines longer than `maxLineBytes` bytes (without the terminator). */
  constructor(readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected an integer ≥ 1, got ${maxLineBytes}`);
    }
  }

  /** Bytes of the unfinished line held in memory (bounded by maxLineBytes + 1). */
  get bufferedBytes(): number {
    return this.partBytes;
  }

  /** Adds a chunk; returns the lines it completes (appended to `out` when given). */
  push(chunk: Uint8Array | string, out: Line[] = []): Line[] {
    const bytes = toBuffer(chunk);
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(LF, start);
      if (newline === -1) {
        this.keep(bytes, start, bytes.length);
        break;
      }
      this.finishLine(bytes, start, newline, out);
      start = newline + 1;
    }
    return out;
  }

  /** Ends the input: returns the last line if it had no newline. */
  end(out: Line[] = []): Line[] {
    if (this.partBytes > 0 || this.skipping) this.finishLine(EMPTY, 0, 0, out);
    return out;
  }

  /** Holds bytes of an unfinished line, or starts discarding when it grows too long. */
  private keep(bytes: Buffer, start: number, end: number): void {
    if (this.skipping) return;
    const length = end - start;
    if (this.partBytes + length > this.maxLineBytes + 1) {
      this.startSkipping(bytes.subarray(start, end));
      return;
    }
    // Copy: a subarray would pin the whole (possibly large) chunk it came from.
    this.parts.push(Buffer.from(bytes.subarray(start, end)));
    this.partBytes += length;
  }

  /** Drops what was kept of the current line, remembering only its beginning. */
  private startSkipping(tail: Buffer): void {
    // Concatenating with a total length copies only the first HEAD_BYTES bytes.
    const headLength = Math.min(HEAD_BYTES, this.partBytes + tail.length);
    this.skippedHead = headText(Buffer.concat([...this.parts, tail], headLength));
    this.parts = [];
    this.partBytes = 0;
    this.skipping = true;
  }

  /** Completes the current line with bytes[start, end) and emits it. */
  private finishLine(bytes: Buffer, start: number, end: number, out: Line[]): void {
    const line = ++this.lineNumber;
    if (this.skipping) {
      out.push(this.overlong(line, this.skippedHead));
      this.skipping = false;
      this.skippedHead = '';
      return;
    }
    let whole: Buffer;
    if (this.parts.length === 0) {
      whole = bytes.subarray(start, end);
    } else {
      this.parts.push(bytes.subarray(start, end));
      whole = Buffer.concat(this.parts, this.partBytes + end - start);
      this.parts = [];
      this.partBytes = 0;
    }
    let length = whole.length;
    if (length > 0 && whole[length - 1] === CR) length--;
    if (length > this.maxLineBytes) {
      out.push(this.overlong(line, headText(whole)));
      return;
    }
    let text = whole.toString('utf8', 0, length);
    if (line === 1 && text.charCodeAt(0) === BOM) text = text.slice(1);
    out.push({ line, text });
  }

  private overlong(line: number, head: string): Line {
    return { line, text: head, error: `line longer than ${this.maxLineBytes} bytes` };
  }
}

/** The clipped beginning of a line, for an error report. */
function headText(bytes: Buffer): string {
  let text = bytes.toString('utf8', 0, Math.min(bytes.length, HEAD_BYTES));
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  return clipRaw(text);
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  // A plain Uint8Array: view the same memory, no copy.
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Splits an async stream of chunks (a Node Readable, or any async iterable
 * of Buffers/strings) into numbered lines. Yields the lines each chunk
 * completes, as one array per chunk, so callers pay one await per chunk, not
 * per line. Never yields an empty array.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array | string>, maxLineBytes: number = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line[]> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of chunks) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

export { isBlank } from '../../src/engine/blank.js';
