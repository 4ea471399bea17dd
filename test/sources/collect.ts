/** Test helpers: drain a source, write temp files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row, Source, SourceBatch } from '../../src/sources/source.js';
import type { InputError } from '../../src/engine/inputError.js';

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
