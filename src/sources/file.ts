/**
 * Events from a file: CSV with a header row, or NDJSON (one JSON object per
 * line). The file is streamed in 1 MiB chunks of raw bytes, never read
 * whole, so its size is not limited by memory; the wasm core's scanners
 * parse the chunks (assembly/ndjsonScan.ts, csvScan.ts), so a bad line gets
 * the same reason here as over HTTP or Kafka.
 *
 * With `speed`, the query replays the file paced by its event time (see
 * replay.ts); without, it is read as fast as the engine takes it.
 *
 * Resumable: every chunk carries the position `{ offset, line }` of the last
 * line boundary read so far (the byte just after the newline and that line's
 * number). The engine scans whole lines only and carries an unfinished tail
 * to the next chunk, so its state after a chunk covers exactly the bytes
 * before that boundary. Resumed there, the file is read from `offset`, its
 * first chunk numbered from `line` (errors keep their line numbers); a CSV
 * file sends its header line first. The file must not have changed before
 * `offset` (the byte before it must still be a newline, or resuming fails).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { checkLineFormat, type LineFormat } from './lineFormat.js';
import { DEFAULT_MAX_LINE_BYTES } from '../engine/limits.js';
import { readError } from './readError.js';
import { checkSpeed } from '../engine/replay.js';
import type { Source, SourceBatch, SourcePosition } from '../engine/source.js';
import { isBlank } from '../engine/blank.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** 'csv' or 'ndjson'; default: from the file extension (see {@link FILE_EXTENSIONS}). */
  format?: LineFormat;
  /** Replay speed factor (60 = sixty times faster than recorded); default: no pacing, read as fast as possible. */
  speed?: number;
  /** Longest accepted line in bytes; longer lines are reported and skipped. Default 1 MiB. */
  maxLineBytes?: number;
  /** Bytes per read (one core scan and one possible checkpoint per chunk). Default 1 MiB. */
  chunkBytes?: number;
}

/** Where a file source stands: the byte after the last newline read and the number of the line that starts there. */
export interface FilePosition extends SourcePosition {
  offset: number;
  line: number;
}

/** File extensions (lower case) and the format each implies. */
export const FILE_EXTENSIONS: Readonly<Record<string, LineFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
};

/** Read size: one core scan per chunk, so bigger chunks mean fewer boundary crossings. */
const CHUNK_BYTES = 1024 * 1024;
const LF = 0x0a;
const decoder = new TextDecoder();

/** The format a file's extension implies; throws naming the path and the accepted extensions. */
export function formatForPath(path: string): LineFormat {
  const format = FILE_EXTENSIONS[extname(path).toLowerCase()];
  if (format === undefined) {
    const accepted = Object.keys(FILE_EXTENSIONS).join(', ');
    throw new Error(`cannot tell the format of ${path} from its extension: use ${accepted}, or set format ('csv' or 'ndjson')`);
  }
  return format;
}

/** A CSV or NDJSON file as a bounded source. */
export class FileSource implements Source {
  /** `file:<path>`, the path as given. */
  readonly description: string;
  /** A file ends. */
  readonly bounded = true;
  /** The format the file is read in. */
  readonly format: LineFormat;
  /** Replay speed factor, when the file is replayed paced by event time. */
  readonly replaySpeed: number | undefined;
  /** Batches carry a {@link FilePosition}: a query over a file can checkpoint and resume. */
  readonly resumable = true;
  private readonly maxLineBytes: number;
  private readonly chunkBytes: number;

  /** Validates the options; does not open the file yet (see {@link batches}). */
  constructor(
    readonly path: string,
    options: FileSourceOptions = {},
  ) {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('fileSource(): expected a file path');
    this.description = `file:${path}`;
    this.format = options.format === undefined ? formatForPath(path) : checkLineFormat(options.format);
    this.replaySpeed = options.speed === undefined ? undefined : checkSpeed(options.speed);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected an integer ≥ 1, got ${String(options.maxLineBytes)}`);
    }
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1) {
      throw new RangeError(`chunkBytes: expected an integer ≥ 1, got ${String(options.chunkBytes)}`);
    }
  }

  /**
   * Streams the file as raw chunks for the core's scanners (`bytes`
   * batches; `maxRows` does not apply: the engine cuts nothing), then an end
   * marker. Throws `cannot read <path>: <reason>` when the file cannot be read.
   * With `from`, continues at that position (see the module comment).
   */
  async *batches(_maxRows: number, signal: AbortSignal, from?: SourcePosition): AsyncGenerator<SourceBatch> {
    const { format, maxLineBytes } = this;
    if (signal.aborted) return;
    const start = from === undefined ? { offset: 0, line: 1 } : await this.checkResume(from);
    // the last line boundary read: what the engine's state covers after each chunk
    let boundary = start.offset;
    let line = start.line;
    let read = start.offset;
    let first = true;
    if (start.offset > 0 && format === 'csv') {
      const header = await this.headerBytes();
      yield { rows: [], errors: [], bytes: { data: header, format, maxLineBytes }, position: { offset: boundary, line } };
    }
    for await (const data of readFileChunks(this.path, start.offset, this.chunkBytes)) {
      for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) line++;
      const last = data.lastIndexOf(LF);
      if (last !== -1) boundary = read + last + 1;
      read += data.length;
      const chunk = { data, format, maxLineBytes, ...(first && start.offset > 0 ? { line: start.line } : {}) };
      first = false;
      yield { rows: [], errors: [], bytes: chunk, position: { offset: boundary, line } };
      if (signal.aborted) return;
    }
    yield { rows: [], errors: [], bytes: { data: new Uint8Array(0), format, maxLineBytes, end: true }, position: { offset: read, line } };
  }

  /** A saved position, checked against the file as it is now. */
  private async checkResume(from: SourcePosition): Promise<FilePosition> {
    const { offset, line } = from;
    const bad = (why: string): RangeError => new RangeError(`cannot resume ${this.description} at ${JSON.stringify({ offset, line })}: ${why}`);
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw bad('offset must be a whole number ≥ 0');
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) throw bad('line must be a whole number ≥ 1');
    if (offset === 0) return { offset, line: 1 };
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.path, 'r');
      const size = (await handle.stat()).size;
      if (offset > size) throw bad(`the file has ${size} bytes now`);
      const before = new Uint8Array(1);
      await handle.read(before, 0, 1, offset - 1);
      // a saved position is always just after a newline (or at the end of a file without one)
      if (before[0] !== LF && offset !== size) throw bad('the file changed (no line ends there)');
    } catch (error) {
      if (error instanceof RangeError) throw error;
      throw readError(this.path, error);
    } finally {
      await handle?.close();
    }
    return { offset, line };
  }

  /** A CSV file's first lines up to and including its header (the first line that is not blank). */
  private async headerBytes(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let held = 0;
    let lineStart = 0;
    for await (const data of readFileChunks(this.path, 0, this.chunkBytes)) {
      parts.push(data);
      const all = concat(parts, held + data.length);
      held = all.length;
      for (let lf = all.indexOf(LF, lineStart); lf !== -1; lf = all.indexOf(LF, lineStart)) {
        const text = decoder.decode(all.subarray(lineStart, lf));
        if (!isBlank(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) return all.subarray(0, lf + 1);
        lineStart = lf + 1;
      }
      if (held > this.maxLineBytes + lineStart) break;
    }
    throw new Error(`cannot resume ${this.description}: no CSV header line ends within ${this.maxLineBytes} bytes`);
  }
}

/** The parts joined into one array (which replaces them in `parts`). */
function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  parts.splice(0, parts.length, out);
  return out;
}

/** Creates a {@link FileSource}: `fileSource('data/cpu.csv')`, `fileSource('events.jsonl', { speed: 60 })`. */
export function fileSource(path: string, options: FileSourceOptions = {}): FileSource {
  return new FileSource(path, options);
}

/** The file's chunks from byte `start`; read failures become `cannot read <path>: <reason>`. */
async function* readFileChunks(path: string, start: number, chunkBytes: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes, start });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw readError(path, error);
  } finally {
    stream.destroy();
  }
}
