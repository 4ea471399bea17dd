/**
 * Sources that hand the core raw bytes (fileSource, stdinSource): a query
 * reading them gives the same windows as the object path over the same
 * events (arraySource), and rejects exactly the broken lines, for NDJSON
 * and CSV, chunks cut anywhere (stdin chunks of random sizes).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { fileSource } from '../../src/sources/file.js';
import { stdinSource } from '../../src/sources/stdin.js';
import type { Source } from '../../src/engine/source.js';
import { arraySource } from '../../src/sources/array.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { loadCore } from '../../src/node/loadCore.js';
import { tempDir } from './collect.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const T0 = Date.UTC(2024, 0, 1);
const plan = parsePipelineConfig({
  timestamp_column: 'timestamp',
  value_column: 'value',
  grouping_columns: ['metric'],
  processing: { window_size: '1 minute', watermark_delay: '5 s', aggregations: ['count', 'sum', 'max'] },
  source: { type: 'stdin' },
  sink: { type: 'console' },
});

/** Runs a query over the source; returns windows and rejected lines. */
async function run(source: Source): Promise<{ windows: string[]; errors: string[] }> {
  const engine = new BatchEngine(plan, loadCore(), source.description, false);
  const windows: string[] = [];
  const errors: string[] = [];
  const signal = new AbortController().signal;
  for await (const batch of source.batches(1000, signal)) {
    const r = engine.processBatch(batch);
    windows.push(...r.windows.map((w) => JSON.stringify(w)));
    errors.push(...r.errors.map((e) => `${e.line}: ${e.reason.startsWith('not valid JSON') ? 'not valid JSON' : e.reason}`));
  }
  windows.push(...engine.flush().map((w) => JSON.stringify(w)));
  return { windows, errors };
}

const events = Array.from({ length: 5000 }, (_, i) => ({ timestamp: T0 + i * 97, metric: `m${i % 7}`, value: (i * 37) % 101 }));
const ndjson = events.map((e, i) => (i % 500 === 7 ? '{"timestamp": oops' : JSON.stringify(e))).join('\n') + '\n';
const csv = 'timestamp,metric,value\n' + events.map((e, i) => (i % 500 === 9 ? 'x,y' : `${e.timestamp},${e.metric},${e.value}`)).join('\n') + '\n';

/** The text in chunks of pseudo-random sizes (1 byte to 4 KiB). */
function chunked(text: string): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let at = 0, k = 1; at < bytes.length; k = ((k * 7919) % 4096) + 1) {
    parts.push(bytes.subarray(at, at + k));
    at += k;
  }
  return Readable.from(parts);
}

/** The object path over the events that are not broken, and the broken lines' errors as the sources report them. */
async function reference(format: 'ndjson' | 'csv'): Promise<{ windows: string[]; errors: string[] }> {
  const good = events.filter((_, i) => i % 500 !== (format === 'ndjson' ? 7 : 9));
  const { windows } = await run(arraySource(good));
  const broken = events.flatMap((_, i) => (i % 500 === (format === 'ndjson' ? 7 : 9) ? [i + (format === 'csv' ? 2 : 1)] : []));
  return { windows, errors: broken.map((line) => `${line}: ${format === 'ndjson' ? 'not valid JSON' : 'expected 3 cells, got 2'}`) };
}

describe('byte sources equal the object path', () => {
  for (const [format, text] of [
    ['ndjson', ndjson],
    ['csv', csv],
  ] as const) {
    it(`file source, ${format}`, async () => {
      const want = await reference(format);
      expect(want.windows.length).toBeGreaterThan(30);
      expect(want.errors).toHaveLength(10);
      expect(await run(fileSource(tmp.file(`events.${format}`, text)))).toEqual(want);
    });

    it(`stdin source, ${format}, random chunk sizes`, async () => {
      expect(await run(stdinSource({ input: chunked(text), format }))).toEqual(await reference(format));
    });
  }
});
