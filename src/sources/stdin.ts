/**
 * Events from standard input (or any readable stream): NDJSON by default,
 * CSV with a header on request. Ends at EOF, so it is bounded.
 *
 * Input may be a fast pipe (`cat big.ndjson | eddy …`) or a person typing:
 * every chunk read goes to the core's scanners as it arrives (a partial
 * last line waits for the rest), so nothing is held back to fill a batch.
 */
import { checkLineFormat, type LineFormat } from './lineFormat.js';
import { DEFAULT_MAX_LINE_BYTES } from '../engine/limits.js';
import { readError } from './readError.js';
import type { Source, SourceBatch } from '../engine/source.js';
import { waitFor } from '../engine/wait.js';

/** Options of {@link stdinSource}. */
export interface StdinSourceOptions {
  /** Where to read from instead of process.stdin (a Readable, or any async iterable of chunks). */
  input?: AsyncIterable<Uint8Array | string>;
  /** 'ndjson' (default) or 'csv' (first line is the header). */
  format?: LineFormat;
  /** Longest accepted line in bytes; longer lines are reported and skipped. Default 1 MiB. */
  maxLineBytes?: number;
  /** Description for progress and errors; default 'stdin'. */
  description?: string;
}

/** Standard input (or a given stream) as a source. */
export class StdinSource implements Source {
  /** 'stdin' unless given. */
  readonly description: string;
  /** Input ends at EOF. */
  readonly bounded = true;
  private readonly input: AsyncIterable<Uint8Array | string> | undefined;
  private readonly format: LineFormat;
  private readonly maxLineBytes: number;

  /** Validates the options; does not touch the input until {@link batches}. */
  constructor(options: StdinSourceOptions = {}) {
    this.input = options.input;
    this.description = options.description ?? 'stdin';
    this.format = options.format === undefined ? 'ndjson' : checkLineFormat(options.format);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes: expected an integer ≥ 1, got ${String(options.maxLineBytes)}`);
    }
    if (this.input !== undefined && typeof this.input[Symbol.asyncIterator] !== 'function') {
      throw new TypeError('input: expected a readable stream or an async iterable of chunks');
    }
  }

  /**
   * The input as raw chunks for the core's scanners (`bytes` batches;
   * `maxRows` does not apply): each chunk is handed on as it arrives, so a
   * lone line typed at a terminal reaches the engine at once, then an end
   * marker at EOF.
   */
  batches(_maxRows: number, signal: AbortSignal): AsyncIterable<SourceBatch> {
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
}

const textEncoder = new TextEncoder();

/** Creates a {@link StdinSource}: `stdinSource()`, or `stdinSource({ input: stream })` in tests. */
export function stdinSource(options: StdinSourceOptions = {}): StdinSource {
  return new StdinSource(options);
}
