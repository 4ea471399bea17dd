/**
 * The core's CSV scanner against the object path: a query fed raw CSV
 * bytes must give what the same query gives fed the CSV reader's rows
 * (src/sources/csv.ts through the line splitter): the same windows, the
 * same rejected lines and reasons — for random column orders, missing and
 * extra columns, quoted cells (commas, doubled quotes, empty), wrong cell
 * counts, unterminated quotes, blank lines and a BOM, cut into chunks anywhere.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine, type BatchResult } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import type { InputError } from '../../src/engine/inputError.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { LineSplitter } from '../reference/lineSplitter.js';
import { CsvParser } from '../reference/csvRows.js';
import { BatchBuilder } from '../../src/sources/batchBuilder.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);
const plan = () =>
  parsePipelineConfig({
    timestamp_column: 'ts',
    value_column: 'v',
    grouping_columns: ['host'],
    processing: { window_size: '1 minute', watermark_delay: '30 s', aggregations: ['count', 'sum', 'min', 'max'] },
    source: { type: 'stdin' },
    sink: { type: 'console' },
  });

type Run = { out: string[]; errors: { line?: number; kind?: string; reason: string; raw?: string }[]; failure?: string };

function referenceRun(bytes: Uint8Array): Run {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  const parser = new CsvParser('test');
  const batch = new BatchBuilder(1 << 20);
  const splitter = new LineSplitter();
  try {
    for (const line of [...splitter.push(bytes), ...splitter.end()]) parser.accept(line, batch);
  } catch (e) {
    return { out: [], errors: [], failure: (e as Error).message };
  }
  const r = engine.processBatch(batch.take());
  return { out: [...r.windows, ...engine.flush()].map((w) => JSON.stringify(w)), errors: r.errors.map(shape) };
}

function byteRun(bytes: Uint8Array, cuts: number[]): Run {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  const out: ResultRecord[] = [];
  const errors: InputError[] = [];
  const take = (r: BatchResult) => {
    out.push(...r.windows);
    errors.push(...r.errors);
  };
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  let from = 0;
  try {
    for (const p of [...points, bytes.length]) {
      take(engine.processBatch({ rows: [], errors: [], bytes: { data: bytes.subarray(from, p), format: 'csv' } }));
      from = p;
    }
    take(engine.processBatch({ rows: [], errors: [], bytes: { data: new Uint8Array(0), format: 'csv', end: true } }));
  } catch (e) {
    return { out: [], errors: [], failure: (e as Error).message };
  }
  out.push(...engine.flush());
  return { out: out.map((w) => JSON.stringify(w)), errors: errors.map(shape) };
}

// raw text differs by design for field errors (the line itself, not the row re-serialised)
const shape = (e: InputError) => ({ line: e.line, kind: e.kind, reason: e.reason, ...(e.kind === undefined ? { raw: e.raw } : {}) });

const quoteIfNeeded = (cell: string, force: boolean) => (force || cell.includes(',') || cell.startsWith('"') ? `"${cell.replaceAll('"', '""')}"` : cell);
const tsCell = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.integer({ min: 0, max: 10 * 60_000 }).chain((d) => fc.constantFrom(String(T0 + d), new Date(T0 + d).toISOString(), String((T0 + d) / 1000))),
  },
  fc.constantFrom('', 'soon', '1e400', ' 2024-01-01 '),
);
const vCell = fc.oneof(
  { weight: 5, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String) },
  fc.constantFrom('', ' 4 ', '.5', 'NaN', 'abc', '1e999', '5.'),
);
const hostCell = fc.constantFrom('a', 'b', 'x,y', 'say "hi"', '', 'é', '"q"');

const document = fc
  .record({
    order: fc
      .tuple(fc.shuffledSubarray(['ts', 'v', 'host', 'extra'], { minLength: 4, maxLength: 4 }), fc.nat(9))
      // usually every column; sometimes one missing (its field is then missing on every row)
      .map(([all, drop]) => (drop < all.length && drop !== 0 ? all.filter((_, i) => i !== drop || all[i] === 'extra' || drop > 2) : all)),
    bom: fc.boolean(),
    leadingBlank: fc.boolean(),
    rows: fc.array(
      fc.oneof(
        {
          weight: 8,
          arbitrary: fc
            .tuple(tsCell, vCell, hostCell, fc.string({ maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
            .map(([ts, v, host, extra, force]) => ({ ts, v, host, extra, force })),
        },
        { weight: 1, arbitrary: fc.constantFrom('', '   ', 'a,b', 'a,b,c,d,e', '"open,x,y', '"a"b,c,d', '1,2', '"x",, ') },
      ),
      { minLength: 5, maxLength: 30 },
    ),
    crlf: fc.boolean(),
  })
  .map(({ order, bom, leadingBlank, rows, crlf }) => {
    const nl = crlf ? '\r\n' : '\n';
    let text = (bom ? '\ufeff' : '') + (leadingBlank ? nl : '') + order.join(',') + nl;
    for (const r of rows) {
      text += (typeof r === 'string' ? r : order.map((c, i) => quoteIfNeeded((r as Record<string, string>)[c]!, r.force[i]!)).join(',')) + nl;
    }
    return new TextEncoder().encode(text);
  });

describe('the CSV byte path equals the CSV reader and the object path', () => {
  it('for random files, in chunks cut anywhere', () => {
    fc.assert(
      fc.property(document, fc.array(fc.nat(1500), { maxLength: 5 }), (bytes, cuts) => {
        const want = referenceRun(bytes);
        const got = byteRun(bytes, cuts);
        expect(got.failure).toEqual(want.failure);
        expect(got.errors).toEqual(want.errors);
        expect(got.out).toEqual(want.out);
      }),
      { seed: FC_SEED, numRuns: fcRuns(300) },
    );
  });

  it('refuses an unusable header as the reader does', () => {
    for (const header of ['a,a', '__proto__,ts', '"open']) {
      const bytes = new TextEncoder().encode(`${header}\n1,2\n`);
      expect(byteRun(bytes, []).failure).toBe(referenceRun(bytes).failure);
      expect(byteRun(bytes, []).failure).toMatch(/line 1/);
    }
  });

  it('accepts most generated rows', () => {
    let accepted = 0;
    let rejected = 0;
    for (const bytes of fc.sample(document, { seed: FC_SEED, numRuns: 100 })) {
      const r = referenceRun(bytes);
      accepted += r.out.reduce((n, w) => n + (JSON.parse(w) as { count: number }).count, 0);
      rejected += r.errors.length;
    }
    expect(accepted).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(100);
  });
});
