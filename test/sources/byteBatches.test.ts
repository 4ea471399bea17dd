/**
 * Sources that hand the core raw bytes (fileSource, stdinSource): a query
 * reading their byteBatches() gives the same windows and the same rejected
 * lines as one reading their parsed batches(), for NDJSON and CSV, chunks
 * cut anywhere (stdin chunks of random sizes).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { fileSource } from '../../src/sources/file.js';
import { stdinSource } from '../../src/sources/stdin.js';
import type { Source } from '../../src/sources/source.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { loadCore } from '../../src/node/loadCore.js';
import { tempDir } from './collect.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const T0 = Date.UTC(2024, 0, 1);
const plan = parsePipelineConfig({
  timestamp_column: 'timestamp', value_column: 'value', grouping_columns: ['metric'],
  processing: { window_size: '1 minute', watermark_delay: '5 s', aggregations: ['count', 'sum', 'max'] },
  source: { type: 'stdin' }, sink: { type: 'console' },
});

/** Runs a query over the source's bytes or rows; returns windows and rejected lines. */
async function run(source: Source, bytes: boolean): Promise<{ windows: string[]; errors: string[] }> {
  const engine = new BatchEngine(plan, loadCore(), source.description, false);
  const windows: string[] = [];
  const errors: string[] = [];
  const signal = new AbortController().signal;
  const batches = bytes ? source.byteBatches!(signal)! : source.batches(1000, signal);
  for await (const batch of batches) {
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
  for (let at = 0, k = 1; at < bytes.length; k = (k * 7919) % 4096 + 1) {
    parts.push(bytes.subarray(at, at + k));
    at += k;
  }
  return Readable.from(parts);
}

describe('byteBatches() equals batches()', () => {
  for (const [format, text] of [['ndjson', ndjson], ['csv', csv]] as const) {
    it(`file source, ${format}`, async () => {
      const path = tmp.file(`events.${format}`, text);
      const want = await run(fileSource(path), false);
      expect(want.windows.length).toBeGreaterThan(30);
      expect(want.errors).toHaveLength(10);
      expect(await run(fileSource(path), true)).toEqual(want);
    });

    it(`stdin source, ${format}, random chunk sizes`, async () => {
      const want = await run(stdinSource({ input: chunked(text), format }), false);
      expect(await run(stdinSource({ input: chunked(text), format }), true)).toEqual(want);
    });
  }

  it('a paced replay keeps the row path', () => {
    expect(fileSource(tmp.file('paced.ndjson', ndjson), { speed: 10 }).byteBatches(new AbortController().signal)).toBeUndefined();
  });
});
