/**
 * From chunks of text to batches of parsed rows: the reading loop of
 * line-based sources that do not need timers (files). Batches are filled to
 * `maxRows` (rows + errors) before being yielded; the last one may be
 * smaller. Stops quietly, without yielding what it holds, when `signal`
 * aborts.
 */
import { BatchBuilder } from './batchBuilder.js';
import type { LineParser } from './lineFormat.js';
import { LineSplitter } from './lines.js';
import type { SourceBatch } from './source.js';

/** Splits `chunks` into lines, parses them with `parser`, and yields the batches. */
export async function* lineBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  parser: LineParser,
  maxRows: number,
  maxLineBytes: number,
  signal: AbortSignal,
): AsyncGenerator<SourceBatch> {
  const batch = new BatchBuilder(maxRows);
  const splitter = new LineSplitter(maxLineBytes);
  if (signal.aborted) return;
  for await (const chunk of chunks) {
    for (const line of splitter.push(chunk)) {
      parser.accept(line, batch);
      if (batch.isFull) {
        yield batch.take();
        if (signal.aborted) return;
      }
    }
    if (signal.aborted) return;
  }
  for (const line of splitter.end()) parser.accept(line, batch);
  if (!batch.isEmpty) yield batch.take();
}
