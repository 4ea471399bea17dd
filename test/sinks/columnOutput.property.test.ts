/**
 * Output text written from the core's output columns equals what the sinks
 * write from the records, byte for byte: NDJSON (safeJsonStringify per
 * record), CSV over the schema's columns (csvLine(flatRow)), the JSON text
 * of each record, the first n records — for window results with every kind
 * of analytics, late events and scored events, with odd key names and
 * values (quotes, unicode, numbers, booleans, names that collide) — and the
 * numbers in that text read back as the same doubles.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { eventSchema, lateSchema, windowSchema } from '../../src/engine/records.js';
import type { QueryPlan } from '../../src/engine/plan.js';
import type { OutputBatch, OutputSchema, ResultRecord } from '../../src/engine/sink.js';
import type { Row } from '../../src/engine/source.js';
import { safeJsonStringify } from '../../src/engine/safeJson.js';
import { csvLine } from '../../src/engine/csvFormat.js';
import { flatRow } from '../../src/engine/flatten.js';
import { fileSink } from '../../src/sinks/file.js';
import { recordBatch } from '../../src/engine/outputBatch.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);

/** What a sink would write from the records. */
function fromRecords(records: ResultRecord[], schema: OutputSchema) {
  return {
    ndjson: records.map((r) => safeJsonStringify(r) + '\n').join(''),
    csv: records.map((r) => csvLine(flatRow(r, schema.columns))).join(''),
    lines: records.map(safeJsonStringify),
  };
}

/** Records compared, by kind: the generated streams must exercise every kind. */
const compared: Record<string, number> = {};

function expectSameText(batch: OutputBatch, schema: OutputSchema): void {
  compared[schema.kind] = (compared[schema.kind] ?? 0) + batch.count;
  // the text first, from the columns; the records after, built by the RecordBuilder
  const text = { ndjson: batch.ndjson(), csv: batch.csv(schema.columns), lines: batch.jsonLines() };
  const head = batch.head(3);
  const records = batch.records();
  expect(text).toEqual(fromRecords(records, schema));
  expect(head).toEqual(records.slice(0, 3));
  // the numbers round-trip: the text parses back to the records
  expect(text.lines.map((l) => JSON.parse(l) as unknown)).toEqual(JSON.parse(JSON.stringify(records)));
}

const keyName = fc.constantFrom('metric', 'host', 'ключ', 'a"b', 'count', '7', 'window_start', 'value');
const keyValue = fc.oneof(
  fc.constantFrom('cpu', 'é"\\', '', 'x,y', 'line\nbreak', '\u2028'),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const settings = fc.record({
  keys: fc.uniqueArray(keyName, { maxLength: 2 }),
  aggregations: fc.subarray(['count', 'sum', 'avg', 'stddev', 'min', 'max'], { minLength: 1 }),
  anomalies: fc.constantFrom(undefined, { rows: 4, threshold: 1 }, { rows: 5, threshold: 2, score: true }),
  forecast: fc.boolean(),
  thresholds: fc.boolean(),
  events: fc.boolean(),
});

interface Settings {
  keys: string[];
  aggregations: string[];
  anomalies: unknown;
  forecast: boolean;
  thresholds: boolean;
}

function planOf(s: Settings): QueryPlan {
  return parsePipelineConfig({
    timestamp_column: 'ts',
    value_column: 'v',
    grouping_columns: s.keys,
    processing: {
      window_size: '1 minute',
      slide_duration: '30 seconds',
      watermark_delay: '10 seconds',
      aggregations: s.aggregations,
      ...(s.anomalies ? { anomalies: s.anomalies } : {}),
      ...(s.forecast ? { forecast: { alpha: 0.5, beta: 0.1 } } : {}),
      ...(s.thresholds ? { patterns: { threshold: { hot: { upper: 5 }, band: { upper: 8, lower: -8 } } } } : {}),
    },
    source: { type: 'stdin' },
    sink: { type: 'console' },
    late_sink: { type: 'console' },
  });
}

const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: 400_000 }), fc.double({ min: -20, max: 20, noNaN: true }), keyValue, keyValue), {
  minLength: 20,
  maxLength: 150,
});

describe('output text from the columns', () => {
  it('equals the records as the sinks write them: windows, late events, scored events', () => {
    fc.assert(
      fc.property(settings, rows, (s, list) => {
        const windowPlan = planOf(s);
        const plan: QueryPlan = s.events ? { ...windowPlan, kind: 'events', aggregates: [] } : windowPlan;
        const engine = new BatchEngine(plan, loadCore(), 'test', true);
        const input: Row[] = list.map(([dt, v, a, b]) => {
          const row: Row = { ts: T0 + dt, v };
          if (s.keys[0]) row[s.keys[0]] = a;
          if (s.keys[1]) row[s.keys[1]] = b;
          return row;
        });
        // two batches, so windows close and late events appear
        const half = Math.floor(input.length / 2);
        for (const part of [input.slice(0, half), input.slice(half)]) {
          const r = engine.processBatch({ rows: part, errors: [] });
          if (s.events) expectSameText(r.eventBatch, eventSchema(plan));
          else {
            expectSameText(r.windowBatch, windowSchema(plan));
            expectSameText(r.lateBatch, lateSchema(plan));
          }
        }
        if (!s.events) expectSameText(engine.flushBatch(), windowSchema(plan));
      }),
      { seed: FC_SEED, numRuns: fcRuns(200) },
    );
    // the random streams really emit each kind (per run: 5 windows, ½ a late event, 10 scored events)
    const runs = fcRuns(200);
    expect(compared.windows).toBeGreaterThan(5 * runs);
    expect(compared.late).toBeGreaterThan(runs / 2);
    expect(compared.events).toBeGreaterThan(10 * runs);
  });

  it('the file sink writes the same bytes from a column batch as from its records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-column-output-'));
    try {
      const plan = planOf({
        keys: ['metric'],
        aggregations: ['count', 'avg', 'stddev'],
        anomalies: { rows: 4, threshold: 1, score: true },
        forecast: true,
        thresholds: true,
      });
      const engine = new BatchEngine(plan, loadCore(), 'test', false);
      const batch = engine.processBatch({
        rows: Array.from({ length: 3000 }, (_, i) => ({ ts: T0 + i * 997, v: Math.sin(i) * 10, metric: `m${i % 7}` })),
        errors: [],
      }).windowBatch;
      expect(batch.count).toBeGreaterThan(100);
      for (const format of ['ndjson', 'csv'] as const) {
        const texts: string[] = [];
        for (const source of [batch, recordBatch(batch.records())]) {
          const path = join(dir, `out-${texts.length}.${format}`);
          const sink = fileSink(path);
          await sink.open(windowSchema(plan));
          await sink.writeBatch!(source);
          await sink.close();
          texts.push(readFileSync(path, 'utf8'));
        }
        expect(texts[0]).toBe(texts[1]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
