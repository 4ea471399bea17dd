/**
 * Events from a file: CSV with a header row, or NDJSON (one JSON object per
 * line). The file is streamed in 64 KiB chunks, never read whole, so its
 * size is not limited by memory; only one line (≤ maxLineBytes) and one
 * batch are held at a time.
 *
 * With `speed`, the file is replayed paced by its event time (see
 * replay.ts); without, it is read as fast as the engine takes it.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { checkLineFormat, createLineParser, type LineFormat } from './lineFormat.js';
import { lineBatches } from './lineBatches.js';
import { DEFAULT_MAX_LINE_BYTES } from './lines.js';
import { readError } from './readError.js';
import { checkSpeed, replayPaced } from './replay.js';
import type { ByteFormat, Source, SourceBatch } from './source.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** 'csv' or 'ndjson'; default: from the file extension (see {@link FILE_EXTENSIONS}). */
  format?: LineFormat;
  /** Replay speed factor (60 = sixty times faster than recorded); default: no pacing, read as fast as possible. */
  speed?: number;
  /** Field holding the event time, used to pace a replay; default 'timestamp'. */
  timestampField?: string;
  /** Longest accepted line in bytes; longer lines are reported and skipped. Default 1 MiB. */
  maxLineBytes?: number;
}

/** File extensions (lower case) and the format each implies. */
export const FILE_EXTENSIONS: Readonly<Record<string, LineFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
};

/** Read size: large enough to amortize the per-chunk await, small enough to stay responsive. */
const CHUNK_BYTES = 64 * 1024;
/** Read size of the byte path: one core scan per chunk, so bigger chunks mean fewer boundary crossings. */
const BYTE_CHUNK_BYTES = 1024 * 1024;

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
  private readonly speed: number | undefined;
  private readonly timestampField: string;
  private readonly maxLineBytes: number;

  /** Validates the options; does not open the file yet (see {@link batches}). */
  constructor(
    readonly path: string,
    options: FileSourceOptions = {},
  ) {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('fileSource(): expected a file path');
    this.description = `file:${path}`;
    this.format = options.format === undefined ? formatForPath(path) : checkLineFormat(options.format);
    this.speed = options.speed === undefined ? undefined : checkSpeed(options.speed);
    this.timestampField = options.timestampField ?? 'timestamp';
    if (typeof this.timestampField !== 'string' || this.timestampField.length === 0) {
      throw new RangeError(`timestampField: expected a field name, got ${JSON.stringify(options.timestampField)}`);
    }
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected an integer ≥ 1, got ${String(options.maxLineBytes)}`);
    }
  }

  /**
   * Streams the file in batches of at most `maxRows` rows. Throws
   * `cannot read <path>: <reason>` when the file cannot be read, and an
   * Error naming the line when a CSV header is unusable.
   */
  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const parser = createLineParser(this.format, this.description);
    const batches = lineBatches(readFileChunks(this.path), parser, maxRows, this.maxLineBytes, signal);
    if (this.speed === undefined) yield* batches;
    else yield* replayPaced(batches, { speed: this.speed, timestampField: this.timestampField }, signal);
  }

  /** A file read without pacing goes to the core as raw bytes. */
  get byteFormat(): ByteFormat | undefined {
    return this.speed === undefined ? this.format : undefined;
  }

  /**
   * The file as raw chunks for the core's scanners (unpaced; undefined
   * with `speed`, whose pacing reads the rows). The same rows and errors as `batches()`.
   */
  byteBatches(signal: AbortSignal): AsyncIterable<SourceBatch> | undefined {
    const format = this.byteFormat;
    if (format === undefined) return undefined;
    const path = this.path;
    const maxLineBytes = this.maxLineBytes;
    return (async function* () {
      if (signal.aborted) return;
      for await (const data of readFileChunks(path, BYTE_CHUNK_BYTES)) {
        yield { rows: [], errors: [], bytes: { data, format, maxLineBytes } };
        if (signal.aborted) return;
      }
      yield { rows: [], errors: [], bytes: { data: new Uint8Array(0), format, maxLineBytes, end: true } };
    })();
  }
}

/** Creates a {@link FileSource}: `fileSource('data/cpu.csv')`, `fileSource('events.jsonl', { speed: 60 })`. */
export function fileSource(path: string, options: FileSourceOptions = {}): FileSource {
  return new FileSource(path, options);
}

/** The file's chunks; read failures become `cannot read <path>: <reason>`. */
async function* readFileChunks(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw readError(path, error);
  } finally {
    stream.destroy();
  }
}
