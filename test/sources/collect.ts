/** Test helpers: drain a source, write temp files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row, Source, SourceBatch } from '../../src/engine/source.js';
import type { InputError } from '../../src/engine/inputError.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { eddy } from '../../src/index.js';
import { callbackSink } from '../../src/sinks/callback.js';

/** What a query read from a source: its events in order, when each reached the sink (ms after start), its rejected rows. */
export interface ReadEvents {
  events: ResultRecord[];
  arrivals: number[];
  errors: InputError[];
}

/**
 * Every event of a source as a query reads it (byte sources through the
 * core's scanners): an events query scoring `value` per `keys`, its scored
 * events and dead letters collected.
 */
export async function readEvents(source: Source, keys: string[] = [], signal?: AbortSignal): Promise<ReadEvents> {
  const out: ReadEvents = { events: [], arrivals: [], errors: [] };
  const started = performance.now();
  const stream = keys.length > 0 ? eddy.stream(source).keyBy(...keys) : eddy.stream(source);
  const q = stream
    .detectAnomalies({ rows: 3, threshold: 2, score: false })
    .writeStream(
      callbackSink((records) => {
        const at = performance.now() - started;
        for (const r of records) {
          out.events.push(r);
          out.arrivals.push(at);
        }
      }),
    )
    .deadLetter(
      callbackSink((records) => {
        out.errors.push(...(records as unknown as InputError[]));
      }),
    )
    .log(() => undefined)
    .start();
  signal?.addEventListener('abort', () => {
    void q.stop();
  });
  await q.awaitTermination();
  return out;
}

/** Every batch of a source. */
export async function collect(source: Source, maxRows = 1000, signal: AbortSignal = new AbortController().signal): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const batch of source.batches(maxRows, signal)) batches.push(batch);
  return batches;
}

/** All rows, line numbers and errors of a list of batches, concatenated. */
export function flatten(batches: SourceBatch[]): { rows: Row[]; lines: number[]; errors: InputError[] } {
  return {
    rows: batches.flatMap((b) => b.rows),
    // A batch gives lines explicitly, or as consecutive lines from firstLine.
    lines: batches.flatMap((b) => b.lines ?? (b.firstLine === undefined ? [] : b.rows.map((_, i) => b.firstLine! + i))),
    errors: batches.flatMap((b) => b.errors),
  };
}

/** A fresh temp directory under os.tmpdir(), and a function that removes it. */
export function tempDir(): { dir: string; file(name: string, content: string | Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-sources-'));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
