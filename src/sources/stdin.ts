/**
 * Events from standard input (or any readable stream): NDJSON by default,
 * CSV with a header on request. Ends at EOF, so it is bounded.
 *
 * Input may be a fast pipe (`cat big.ndjson | eddy …`) or a person typing,
 * so a batch is yielded when it holds `maxRows` rows, or when its first row
 * has waited `flushMs` (default 50 ms) — whichever comes first. A lone line
 * therefore reaches the engine within 50 ms, and a slow trickle of lines
 * (one every 30 ms, say) is not held back until maxRows of them arrived.
 */
import { BatchBuilder } from './batchBuilder.js';
import { checkLineFormat, createLineParser, type LineFormat } from './lineFormat.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import { readError } from './readError.js';
import type { ByteFormat, Source, SourceBatch } from './source.js';
import { waitFor } from './wait.js';

/** Options of {@link stdinSource}. */
export interface StdinSourceOptions {
  /** Where to read from instead of process.stdin (a Readable, or any async iterable of chunks). */
  input?: AsyncIterable<Uint8Array | string>;
  /** 'ndjson' (default) or 'csv' (first line is the header). */
  format?: LineFormat;
  /** Longest wait of a partial batch before it is yielded, in ms; default 50. */
  flushMs?: number;
  /** Longest accepted line in bytes; longer lines are reported and skipped. Default 1 MiB. */
  maxLineBytes?: number;
  /** Description for progress and errors; default 'stdin'. */
  description?: string;
}

/** Default longest wait of a partial batch, in ms. */
export const DEFAULT_FLUSH_MS = 50;

/** Standard input (or a given stream) as a source. */
export class StdinSource implements Source {
  /** 'stdin' unless given. */
  readonly description: string;
  /** Input ends at EOF. */
  readonly bounded = true;
  private readonly input: AsyncIterable<Uint8Array | string> | undefined;
  private readonly format: LineFormat;
  private readonly flushMs: number;
  private readonly maxLineBytes: number;

  /** Validates the options; does not touch the input until {@link batches}. */
  constructor(options: StdinSourceOptions = {}) {
    this.input = options.input;
    this.description = options.description ?? 'stdin';
    this.format = options.format === undefined ? 'ndjson' : checkLineFormat(options.format);
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    if (typeof this.flushMs !== 'number' || !(this.flushMs >= 0) || !Number.isFinite(this.flushMs)) {
      throw new RangeError(`flushMs: expected milliseconds ≥ 0, got ${String(options.flushMs)}`);
    }
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected an integer ≥ 1, got ${String(options.maxLineBytes)}`);
    }
    if (this.input !== undefined && typeof this.input[Symbol.asyncIterator] !== 'function') {
      throw new TypeError('input: expected a readable stream or an async iterable of chunks');
    }
  }

  /** Standard input goes to the core as raw bytes, in either format. */
  get byteFormat(): ByteFormat {
    return this.format;
  }

  /**
   * The input as raw chunks for the core's scanners: each chunk is handed
   * on as it arrives (no flush timer is needed: nothing waits to fill a
   * batch of rows), then an end marker at EOF.
   */
  byteBatches(signal: AbortSignal): AsyncIterable<SourceBatch> {
    const { description, format, maxLineBytes } = this;
    const input = (): AsyncIterable<Uint8Array | string> => this.input ?? (process.stdin as AsyncIterable<Uint8Array | string>);
    return (async function* () {
      const stream = input();
      const chunks = stream[Symbol.asyncIterator]();
      let next: Promise<IteratorResult<Uint8Array | string>> | undefined;
      try {
        for (;;) {
          if (signal.aborted) return;
          next = chunks.next().catch((error: unknown) => {
            throw readError(description, error);
          });
          next.catch(() => undefined);
          const outcome = await waitFor(next, Infinity, signal);
          if (outcome.kind !== 'value') return;
          next = undefined;
          const result = outcome.value;
          if (result.done) break;
          const data = typeof result.value === 'string' ? textEncoder.encode(result.value) : result.value;
          yield { rows: [], errors: [], bytes: { data, format, maxLineBytes }, receivedAt: performance.now() };
        }
        yield { rows: [], errors: [], bytes: { data: new Uint8Array(0), format, maxLineBytes, end: true } };
      } finally {
        // as in batches(): a pending read would block return() on an idle terminal
        if (next === undefined) await chunks.return?.();
        else {
          (stream as { destroy?: () => void }).destroy?.();
          chunks.return?.().catch(() => undefined);
        }
      }
    })();
  }

  /** Reads until EOF or abort, in batches of at most `maxRows` rows. */
  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const batch = new BatchBuilder(maxRows);
    const parser = createLineParser(this.format, this.description);
    const splitter = new LineSplitter(this.maxLineBytes);
    // process.stdin is touched only here: merely reading the property starts its setup.
    const input = this.input ?? (process.stdin as AsyncIterable<Uint8Array | string>);
    const chunks = input[Symbol.asyncIterator]();
    /** The chunk being waited for; kept across a flush timeout so no chunk is lost. */
    let next: Promise<IteratorResult<Uint8Array | string>> | undefined;
    /** When the current batch must be yielded at the latest (performance.now() time). */
    let deadline = Infinity;
    try {
      for (;;) {
        if (signal.aborted) return;
        if (next === undefined) {
          next = chunks.next().catch((error: unknown) => {
            throw readError(this.description, error);
          });
          // While the batch is yielded the promise waits unobserved; a stream error then
          // must not count as an unhandled rejection (it is rethrown when awaited).
          next.catch(() => undefined);
        }
        const outcome = await waitFor(next, batch.isEmpty ? Infinity : deadline - performance.now(), signal);
        if (outcome.kind === 'aborted') return;
        if (outcome.kind === 'timeout') {
          yield batch.take();
          continue;
        }
        next = undefined;
        const result = outcome.value;
        const lines = result.done ? splitter.end() : splitter.push(result.value);
        for (const line of lines) {
          const wasEmpty = batch.isEmpty;
          parser.accept(line, batch);
          if (wasEmpty && !batch.isEmpty) deadline = performance.now() + this.flushMs;
          if (batch.isFull) {
            yield batch.take();
            if (signal.aborted) return;
          }
        }
        if (result.done) break;
        if (!batch.isEmpty && performance.now() >= deadline) yield batch.take();
      }
      if (!batch.isEmpty) yield batch.take();
    } finally {
      if (next === undefined) {
        // Stop reading (a Readable's iterator destroys the stream on return).
        await chunks.return?.();
      } else {
        // A chunk is still awaited (abort, or the consumer stopped early). The
        // iterator's return() would queue behind that read, forever on an idle
        // terminal, so destroy the stream to end the read instead of awaiting.
        (input as { destroy?: () => void }).destroy?.();
        chunks.return?.().catch(() => undefined);
      }
    }
  }
}

const textEncoder = new TextEncoder();

/** Creates a {@link StdinSource}: `stdinSource()`, or `stdinSource({ input: stream })` in tests. */
export function stdinSource(options: StdinSourceOptions = {}): StdinSource {
  return new StdinSource(options);
}
