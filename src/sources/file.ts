/**
 * Events from a file: CSV with a header row, or NDJSON (one JSON object per
 * line). The file is streamed in 1 MiB chunks of raw bytes, never read
 * whole, so its size is not limited by memory; the wasm core's scanners
 * parse the chunks (assembly/ndjsonScan.ts, csvScan.ts), so a bad line gets
 * the same reason here as over HTTP or Kafka.
 *
 * With `speed`, the query replays the file paced by its event time (see
 * replay.ts); without, it is read as fast as the engine takes it.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { checkLineFormat, type LineFormat } from './lineFormat.js';
import { DEFAULT_MAX_LINE_BYTES } from '../engine/limits.js';
import { readError } from './readError.js';
import { checkSpeed } from '../engine/replay.js';
import type { Source, SourceBatch } from '../engine/source.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** 'csv' or 'ndjson'; default: from the file extension (see {@link FILE_EXTENSIONS}). */
  format?: LineFormat;
  /** Replay speed factor (60 = sixty times faster than recorded); default: no pacing, read as fast as possible. */
  speed?: number;
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

/** Read size: one core scan per chunk, so bigger chunks mean fewer boundary crossings. */
const CHUNK_BYTES = 1024 * 1024;

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
  private readonly maxLineBytes: number;

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
  }

  /**
   * Streams the file as raw chunks for the core's scanners (`bytes`
   * batches; `maxRows` does not apply: the engine cuts nothing), then an end
   * marker. Throws `cannot read <path>: <reason>` when the file cannot be read.
   */
  async *batches(_maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const { format, maxLineBytes } = this;
    if (signal.aborted) return;
    for await (const data of readFileChunks(this.path)) {
      yield { rows: [], errors: [], bytes: { data, format, maxLineBytes } };
      if (signal.aborted) return;
    }
    yield { rows: [], errors: [], bytes: { data: new Uint8Array(0), format, maxLineBytes, end: true } };
  }
}

/** Creates a {@link FileSource}: `fileSource('data/cpu.csv')`, `fileSource('events.jsonl', { speed: 60 })`. */
export function fileSource(path: string, options: FileSourceOptions = {}): FileSource {
  return new FileSource(path, options);
}

/** The file's chunks; read failures become `cannot read <path>: <reason>`. */
async function* readFileChunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw readError(path, error);
  } finally {
    stream.destroy();
  }
}
