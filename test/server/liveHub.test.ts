/**
 * The live hub writes each subscriber's message from the output columns'
 * JSON texts (no record object): the messages equal what serialising the
 * records gives, kind by kind (windows, anomalies, forecasts, patterns,
 * events, late, matches), with kind and key filters, for any batch.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { LiveHub, parseFilter, type LiveSocket } from '../../src/server/liveHub.js';
import { recordFlags, RECORD_ANOMALY, RECORD_FORECAST, RECORD_PATTERNS, type ResultRecord } from '../../src/engine/sink.js';
import { recordBatch } from '../../src/engine/outputBatch.js';
import type { Row } from '../../src/engine/source.js';
import type { QueryPlan } from '../../src/engine/plan.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);

function socket(): LiveSocket & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    send: (m: string) => {
      messages.push(m);
      return 1;
    },
    getBufferedAmount: () => 0,
  };
}

const FILTERS = [
  [undefined, undefined],
  ['anomalies,forecasts', undefined],
  [undefined, 'b'],
  ['windows,patterns,late', 'a,c'],
] as const;

/** The message the hub sends, built from records the way a reader expects it. */
function expectedMessage(
  batch: number,
  kinds: Record<string, ResultRecord[]>,
  filter: ReturnType<typeof parseFilter>,
  keyOf: (r: ResultRecord) => string,
): string {
  const body: Record<string, unknown> = { type: 'results', batch };
  let count = 0;
  for (const [kind, records] of Object.entries(kinds)) {
    if (filter.kinds && !filter.kinds.has(kind as never)) continue;
    const wanted = filter.keys ? records.filter((r) => filter.keys!.has(keyOf(r))) : records;
    if (wanted.length > 0) {
      body[kind] = wanted;
      count += wanted.length;
    }
  }
  return count > 0 ? JSON.stringify(body) : '';
}

describe('live hub messages from columns', () => {
  it('equal the records serialised, for windows with analytics, late events, and filters', () => {
    const plan = parsePipelineConfig({
      timestamp_column: 'timestamp',
      value_column: 'value',
      grouping_columns: ['metric'],
      processing: {
        window_size: '1 minute',
        watermark_delay: '0 s',
        aggregations: ['count', 'avg', 'max'],
        anomaly_threshold: 1,
        anomalies: { rows: 3 },
        forecast: { alpha: 0.3, horizon: 3 },
        patterns: { threshold: { high: { upper: 60 } } },
      },
      source: { type: 'stdin' },
      sink: { type: 'console' },
    });
    const events = fc.array(fc.tuple(fc.nat(3_600_000), fc.integer({ min: 0, max: 100 }), fc.constantFrom('a', 'b', 'c')), { minLength: 1, maxLength: 300 });
    const seen = { anomalies: 0, forecasts: 0, patterns: 0, late: 0 };
    fc.assert(
      fc.property(events, (list) => {
        // in time order, then the first few again (late by then)
        const sorted = list.map(([dt, value, metric]) => ({ timestamp: T0 + dt, metric, value })).sort((x, y) => x.timestamp - y.timestamp);
        const rows = [...sorted, ...sorted.slice(0, 3)] as Row[];
        const engine = new BatchEngine(plan, loadCore(), 'test', true);
        const result = engine.processBatch({ rows, errors: [] });
        const windows = result.windows;
        const late = result.late;
        const hub = new LiveHub(['metric']);
        const sockets = FILTERS.map(([kinds, keys]) => {
          const s = socket();
          hub.subscribe(s, parseFilter(kinds, keys));
          return s;
        });
        const sinks = hub.sinks();
        if (result.windowBatch.count > 0) sinks.results.writeBatch!(result.windowBatch);
        if (result.lateBatch.count > 0) sinks.late.writeBatch!(result.lateBatch);
        hub.flush();
        const keyOf = (r: ResultRecord) => String(r.metric);
        seen.anomalies += windows.filter((w) => recordFlags(w) & RECORD_ANOMALY).length;
        seen.forecasts += windows.filter((w) => recordFlags(w) & RECORD_FORECAST).length;
        seen.patterns += windows.filter((w) => recordFlags(w) & RECORD_PATTERNS).length;
        seen.late += late.length;
        for (const [i, [kinds, keys]] of FILTERS.entries()) {
          const want = expectedMessage(
            1,
            {
              windows,
              events: [],
              anomalies: windows.filter((w) => recordFlags(w) & RECORD_ANOMALY),
              forecasts: windows.filter((w) => recordFlags(w) & RECORD_FORECAST),
              patterns: windows.filter((w) => recordFlags(w) & RECORD_PATTERNS),
              late,
            },
            parseFilter(kinds, keys),
            keyOf,
          );
          expect(sockets[i]!.messages).toEqual(want === '' ? [] : [want]);
        }
      }),
      { seed: FC_SEED, numRuns: fcRuns(60) },
    );
    // the streams exercise every kind
    expect(
      Object.values(seen).every((n) => n > 0),
      JSON.stringify(seen),
    ).toBe(true);
  });

  it('takes record batches too (matches, callers with records), and scored events', () => {
    const plan: QueryPlan = {
      name: 't',
      kind: 'events',
      timeColumn: 'timestamp',
      valueColumn: 'value',
      keyColumns: ['metric'],
      aggregates: [],
      sizeMs: 60_000,
      slideMs: 60_000,
      delayMs: 0,
      latenessMs: 0,
      outputMode: 'append',
      batchSize: 65_536,
      flushAtEnd: true,
      flushOnStop: false,
      analytics: { thresholds: [], score: false, zscore: { mode: 'rows', rows: 5, timeMs: 0, threshold: 1 } },
    };
    const rows = Array.from({ length: 40 }, (_, i) => ({ timestamp: T0 + i * 1000, metric: i % 2 ? 'a' : 'b', value: i % 7 === 0 ? 90 : i % 3 })) as Row[];
    const result = new BatchEngine(plan, loadCore(), 'test', false).processBatch({ rows, errors: [] });
    const events = result.events;
    expect(events.some((e) => e.is_anomaly === true)).toBe(true);
    const fromColumns = new LiveHub(['metric']);
    const fromRecords = new LiveHub(['metric']);
    const a = socket();
    const b = socket();
    fromColumns.subscribe(a, {});
    fromRecords.subscribe(b, {});
    fromColumns.sinks().results.writeBatch!(result.eventBatch);
    fromRecords.sinks().results.write(events);
    const match = { pattern: 'A -> B', metric: 'a', times: [1, 2] } as unknown as ResultRecord;
    fromColumns.sinks().matches.writeBatch!(recordBatch([match]));
    fromRecords.sinks().matches.write([match]);
    fromColumns.flush();
    fromRecords.flush();
    expect(a.messages).toEqual(b.messages);
    expect(JSON.parse(a.messages[0]!)).toEqual({
      type: 'results',
      batch: 1,
      events,
      anomalies: events.filter((e) => e.is_anomaly === true),
      patterns: [match],
    });
  });

  it('builds nothing while nobody is subscribed', () => {
    const hub = new LiveHub([]);
    let built = 0;
    const batch = {
      ...recordBatch([{ value: 1 } as ResultRecord]),
      records: () => {
        built++;
        return [];
      },
      jsonLines: () => {
        built++;
        return [];
      },
    };
    hub.sinks().results.writeBatch!(batch);
    hub.flush();
    expect(built).toBe(0);
  });
});
