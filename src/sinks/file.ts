/**
 * A sink that writes results to a file, as NDJSON (one JSON object per line)
 * or CSV (a header line, then one line per record).
 *
 * Writes go through a WriteStream and wait for 'drain' when its buffer is
 * full, so a slow disk slows the query down instead of filling memory.
 * `flush()` waits until every chunk written so far has been handed to the
 * OS and then fsyncs, so a flushed batch survives a crash of the process or
 * the machine (the engine flushes at the end of each batch and before a
 * checkpoint).
 *
 * In update mode the file is a changelog, like Spark's file sink: every
 * emitted version of a window is appended as a new line; nothing is
 * rewritten in place. Readers wanting the current table keep the last line
 * per key.
 *
 * Failures (EACCES, ENOSPC, a parent path that is a regular file, …) never
 * surface as an 'error' event that would crash the process: they reject the
 * `open`, `write`, `flush` or `close` call with a message naming the path. A
 * write that fails after its `write()` call already resolved (the data was
 * buffered) is reported by the next `write`, `flush` or `close`.
 */
import { mkdir, open as openFile, type FileHandle } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { OutputBatch, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { csvLine } from '../engine/csvFormat.js';
import { flatRow } from '../engine/flatten.js';
import { ndjsonText } from '../engine/ndjsonText.js';
import { waitForDrain } from './drain.js';

/** Text formats of the file sink. */
export type FileFormat = 'ndjson' | 'csv';

/** Options of `fileSink`. */
export interface FileSinkOptions {
  /** Output format; default: from the extension (see `fileFormatOf`). */
  format?: FileFormat;
  /**
   * Append to an existing file instead of replacing it. Default false.
   * A CSV header is written only when the file is new or empty; appending
   * CSV to a file whose header names other columns is refused.
   */
  append?: boolean;
}

/** Bytes read from an existing CSV file to find its header line. */
const HEADER_PROBE_BYTES = 64 * 1024;

const FORMAT_BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  // `.json` output is still one object per line, not one JSON array, so it can be appended and streamed.
  '.json': 'ndjson',
  '.csv': 'csv',
};

/** The format implied by a path's extension (case-insensitive), or undefined. */
export function fileFormatOf(path: string): FileFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * A sink writing to `path` (see the module comment). Throws at once when the
 * format is neither given nor implied by the extension. Parent directories
 * are created at `open()`.
 */
export function fileSink(path: string, options: FileSinkOptions = {}): Sink {
  const format = options.format ?? fileFormatOf(path);
  if (format !== 'ndjson' && format !== 'csv') {
    throw new Error(
      options.format === undefined
        ? `file sink ${path}: cannot tell the output format from the extension; use .ndjson, .jsonl, .json or .csv, or pass format 'ndjson' or 'csv'`
        : `file sink ${path}: unknown format ${JSON.stringify(options.format)}; use 'ndjson' or 'csv'`,
    );
  }
  const append = options.append ?? false;

  let columns: string[] = [];
  let handle: FileHandle | undefined;
  let stream: WriteStream | undefined;
  /** The first failure; once set, every later call rejects with it. */
  let failure: Error | undefined;
  /** Resolves when the latest chunk has been written to the OS (or failed); never rejects. */
  let lastChunkDone: Promise<void> = Promise.resolve();
  /** Resolves when the stream has closed (ended, or destroyed by an error). */
  let streamClosed: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const fail = (action: string, cause: unknown): Error => {
    failure ??= fileSinkError(path, action, cause);
    return failure;
  };

  const send = async (text: string): Promise<void> => {
    const target = stream;
    if (target === undefined) throw new Error(`file sink ${path}: write before open`);
    if (closing) throw new Error(`file sink ${path}: write after close`);
    if (failure) throw failure;
    let chunkDone!: () => void;
    lastChunkDone = new Promise<void>((resolve) => (chunkDone = resolve));
    const accepted = target.write(text, (error) => {
      if (error) fail('write', error);
      chunkDone();
    });
    if (!accepted) {
      try {
        await waitForDrain(target);
      } catch (error) {
        fail('write', error);
      }
    }
    if (failure) throw failure;
  };

  const flush = async (): Promise<void> => {
    if (handle === undefined) return;
    // A destroyed stream may drop chunk callbacks; its 'close' ends the wait then.
    await Promise.race([lastChunkDone, streamClosed]);
    if (failure) throw failure;
    try {
      await handle.sync();
    } catch (error) {
      throw fail('sync', error);
    }
  };

  return {
    description: `file:${path}`,

    async open(schema: OutputSchema): Promise<void> {
      if (handle !== undefined || closing) throw new Error(`file sink ${path}: opened twice`);
      columns = [...schema.columns];
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (error) {
        throw fail('create its directory', error);
      }
      let opened: FileHandle;
      try {
        // 'a+' rather than 'a' so the existing end and header can be read back.
        opened = await openFile(path, append ? 'a+' : 'w');
      } catch (error) {
        throw fail('open', error);
      }
      let prefix: string;
      try {
        prefix = await appendPrefix(opened, path, format, columns);
      } catch (error) {
        await opened.close().catch(() => undefined);
        throw error instanceof FileSinkSetupError ? error : fail('read', error);
      }
      handle = opened;
      const created = opened.createWriteStream({ encoding: 'utf8' });
      stream = created;
      created.on('error', (error) => fail('write', error));
      streamClosed = new Promise<void>((resolve) => created.once('close', () => resolve()));
      if (prefix !== '') await send(prefix);
    },

    write(records: ResultRecord[]): Promise<void> {
      if (format !== 'csv') return send(ndjsonText(records));
      let text = '';
      for (const record of records) text += csvLine(flatRow(record, columns));
      return send(text);
    },

    writeBatch(batch: OutputBatch): Promise<void> {
      // the text straight from the batch's columns: no record objects
      return send(format === 'csv' ? batch.csv(columns) : batch.ndjson());
    },

    flush(): Promise<void> {
      if (closing) return closing;
      return flush();
    },

    close(): Promise<void> {
      closing ??= (async () => {
        if (stream === undefined) return;
        let flushError: unknown;
        try {
          await flush();
        } catch (error) {
          flushError = error;
        }
        if (!stream.destroyed) stream.end();
        await streamClosed;
        if (flushError !== undefined) throw flushError;
        if (failure) throw failure;
      })();
      return closing;
    },
  };
}

/** An error found while preparing to append, already naming the path. */
class FileSinkSetupError extends Error {}

/**
 * What to write before the first record: a newline if an existing file does
 * not end with one (a line torn by a crash must not swallow the next record),
 * then the CSV header unless the file already has one.
 */
async function appendPrefix(handle: FileHandle, path: string, format: FileFormat, columns: string[]): Promise<string> {
  const header = format === 'csv' ? csvLine(columns) : '';
  const { size } = await handle.stat();
  if (size === 0) return header;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  const newline = last[0] === 0x0a ? '' : '\n';
  if (format !== 'csv') return newline;
  const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  const firstLine = probe.toString('utf8', 0, bytesRead).split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  const expected = header.slice(0, -1);
  if (firstLine !== expected) {
    throw new FileSinkSetupError(
      `file sink ${path}: cannot append: the file's CSV header ${JSON.stringify(firstLine.slice(0, 200))} ` +
        `differs from the query's columns ${JSON.stringify(expected)}`,
    );
  }
  return newline;
}

/** An Error naming the path and what failed, keeping the system error code (EACCES, ENOSPC, …). */
function fileSinkError(path: string, action: string, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const error = new Error(`file sink ${path}: cannot ${action}: ${detail}`, { cause });
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(error, { code });
  return error;
}
