/**
 * Analytics through the API and configs: the seed's pipeline (windows →
 * anomalies on avg_value → threshold patterns) and events queries.
 */
import { describe, it, expect } from 'vitest';
import { eddy, window, avg, count, max } from '../../src/index.js';
import { arraySource } from '../../src/sources/array.js';
import { callbackSink } from '../../src/sinks/callback.js';
import type { ResultRecord } from '../../src/engine/sink.js';

const T = Date.UTC(2024, 0, 1);
const MIN = 60_000;

describe('analytics on window results (the seed pipeline)', () => {
  it('scores avg_value of each key’s windows with the 11-row z-score and tags threshold patterns', async () => {
    // one event per minute per key: cpu is flat at 10 then spikes to 200 in minute 14; mem stays at 50
    const rows = [];
    for (let m = 0; m < 20; m++) {
      rows.push({ timestamp: T + m * MIN, metric: 'cpu', value: m === 14 ? 200 : 10 + (m % 3) });
      rows.push({ timestamp: T + m * MIN, metric: 'mem', value: 50 });
    }
    const out: ResultRecord[] = [];
    const q = eddy
      .stream(arraySource(rows))
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(avg('value'), count())
      .detectAnomalies({ rows: 11, threshold: 2 })
      .patterns({ threshold: { critical: { upper: 100 }, warning: { upper: 80, lower: 20 } } })
      .writeStream(
        callbackSink((r) => {
          out.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    const cpu = out.filter((r) => r.metric === 'cpu');
    const mem = out.filter((r) => r.metric === 'mem');
    expect(cpu).toHaveLength(20);
    // the spike window fires, the ones before it do not
    const spike = cpu.find((r) => r.avg_value === 200)!;
    expect(spike.is_anomaly).toBe(true);
    expect(spike.detected_patterns).toEqual(['critical_exceeded', 'warning_exceeded']);
    expect(cpu.slice(0, 14).every((r) => r.is_anomaly === false)).toBe(true);
    expect(cpu[0]!.zscore).toBeNull(); // one row: undefined
    expect(cpu[1]!.detected_patterns).toEqual(['warning_below']);
    // a constant series never fires and has no z
    expect(mem.every((r) => r.zscore === null && r.is_anomaly === false && r.rolling_avg === 50)).toBe(true);
    expect(mem.map((r) => r.rolling_stddev).slice(0, 3)).toEqual([null, 0, 0]);
    expect(mem[5]!.detected_patterns).toEqual([]);
    // the seed's columns are all there
    expect(Object.keys(spike)).toEqual([
      'window',
      'metric',
      'avg_value',
      'count',
      'rolling_avg',
      'rolling_stddev',
      'zscore',
      'is_anomaly',
      'anomaly_score',
      'detected_patterns',
    ]);
  });

  it('adds Holt forecasts of avg_value (alpha 0.3 as the seed)', async () => {
    const values = [10, 12, 14, 13];
    const out: ResultRecord[] = [];
    const q = eddy
      .stream(arraySource(values.map((v, i) => ({ timestamp: T + i * MIN, metric: 'x', value: v }))))
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(avg('value'))
      .forecast({ alpha: 0.3, horizon: 10 })
      .writeStream(
        callbackSink((r) => {
          out.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    const f = out.map((r) => [r.level, r.trend, r.forecast] as number[]);
    const expected = [
      [10, 0, 10],
      [10.6, 0, 10.6],
      [11.62, 0.306, 11.926],
      [12.2482, 0.40266, 12.65086],
    ];
    f.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[i]![j]!, 9);
      });
    });
    expect(out[3]!.forecast_h).toBeCloseTo(12.2482 + 10 * 0.40266, 9);
  });

  it('refuses window analytics in update mode, and sequences without a matches sink', () => {
    const agg = eddy.stream(arraySource([])).groupBy(window('timestamp', '1 minute'), 'metric').agg(count());
    expect(() =>
      agg
        .detectAnomalies()
        .writeStream(callbackSink(() => undefined))
        .outputMode('update')
        .start(),
    ).toThrow(/append output mode/);
    expect(() =>
      agg
        .patterns({ sequence: ['A -> B within 1m'] })
        .writeStream(callbackSink(() => undefined))
        .start(),
    ).toThrow(/patternMatches/);
    expect(() => agg.detectAnomalies({ on: 'p99' })).toThrow(/'p99' is not an aggregate/);
    expect(() => agg.detectAnomalies({ rows: 1 })).toThrow(/rows/);
  });

  it('scores another aggregate with on', async () => {
    const out: ResultRecord[] = [];
    const rows = Array.from({ length: 12 }, (_, i) => ({ timestamp: T + i * MIN, metric: 'x', value: i === 11 ? 1000 : 1 + (i % 2) }));
    const q = eddy
      .stream(arraySource(rows))
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(avg('value'), max('value'))
      .detectAnomalies({ on: 'max_value', score: false })
      .writeStream(
        callbackSink((r) => {
          out.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    expect(out[11]!.is_anomaly).toBe(true);
    expect('anomaly_score' in out[11]!).toBe(false);
  });
});

describe('events queries', () => {
  it('scores every event per key, in order, with z-score, forecast and thresholds', async () => {
    const rows = [];
    for (let i = 0; i < 30; i++) {
      rows.push({ timestamp: T + i * 1000, metric: 'a', value: i === 20 ? 90 : 10 });
      rows.push({ timestamp: T + i * 1000, metric: 'b', value: i });
    }
    const out: ResultRecord[] = [];
    const q = eddy
      .stream(arraySource(rows))
      .keyBy('metric')
      .detectAnomalies({ rows: 11 })
      .forecast()
      .patterns({ threshold: { high: { upper: 50 } } })
      .writeStream(
        callbackSink((r) => {
          out.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    expect(out).toHaveLength(60);
    expect(out.map((r) => r.metric)).toEqual(rows.map((r) => r.metric));
    const spike = out.find((r) => r.value === 90)!;
    expect(spike.is_anomaly).toBe(true);
    expect(spike.detected_patterns).toEqual(['high_exceeded']);
    expect(spike.timestamp).toBe('2024-01-01T00:00:20.000Z');
    // b rises steadily: Holt's trend turns positive, forecasts run ahead of the level
    const lastB = out.filter((r) => r.metric === 'b').at(-1)!;
    expect(lastB.trend as number).toBeGreaterThan(0.5);
    expect(lastB.forecast as number).toBeGreaterThan(lastB.level as number);
    expect(Object.keys(spike)).toEqual([
      'timestamp',
      'metric',
      'value',
      'rolling_avg',
      'rolling_stddev',
      'zscore',
      'is_anomaly',
      'anomaly_score',
      'level',
      'trend',
      'forecast',
      'forecast_h',
      'detected_patterns',
    ]);
  });

  it('reports bad rows and keeps scoring the rest', async () => {
    const lines: string[] = [];
    const out: ResultRecord[] = [];
    const q = eddy
      .stream(
        arraySource([
          { timestamp: T, value: 1 },
          { timestamp: T, value: 'x' },
          { timestamp: T + 1, value: 2 },
        ]),
      )
      .detectAnomalies({ rows: 3 })
      .writeStream(
        callbackSink((r) => {
          out.push(...r);
        }),
      )
      .log((l) => lines.push(l))
      .start();
    await q.awaitTermination();
    expect(out.map((r) => r.value)).toEqual([1, 2]);
    expect(lines).toEqual([`bad input at array line 2: field 'value': not a number ("x")`]);
  });
});

describe('sequence patterns through the API', () => {
  const events = [
    { timestamp: T, metric: 'web', type: 'A', value: 1 },
    { timestamp: T + 60_000, metric: 'db', type: 'A', value: 1 },
    { timestamp: T + 120_000, metric: 'web', type: 'X', value: 1 },
    { timestamp: T + 180_000, metric: 'web', type: 'B', value: 1 },
    { timestamp: T + 240_000, metric: 'web', type: 'C', value: 1 },
    { timestamp: T + 600_000, metric: 'db', type: 'B', value: 1 },
    { timestamp: T + 660_000, metric: 'db', type: 'C', value: 1 },
  ];

  it("matches 'A -> B -> C within 5m' per key in an events query; too slow does not match", async () => {
    const matches: ResultRecord[] = [];
    const q = eddy
      .stream(arraySource(events))
      .keyBy('metric')
      .patterns({ sequence: ['A -> B -> C within 5m', { name: 'strict', pattern: 'A => B => C' }] })
      .writeStream(callbackSink(() => undefined))
      .patternMatches(
        callbackSink((r) => {
          matches.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    expect(matches).toEqual([
      {
        pattern: 'A -> B -> C within 5m',
        metric: 'web',
        start: '2024-01-01T00:00:00.000Z',
        end: '2024-01-01T00:04:00.000Z',
        timestamps: ['2024-01-01T00:00:00.000Z', '2024-01-01T00:03:00.000Z', '2024-01-01T00:04:00.000Z'],
      },
      {
        // db's A, B, C are consecutive events of db (strict holds) and 'strict' has no time bound
        pattern: 'strict',
        metric: 'db',
        start: '2024-01-01T00:01:00.000Z',
        end: '2024-01-01T00:11:00.000Z',
        timestamps: ['2024-01-01T00:01:00.000Z', '2024-01-01T00:10:00.000Z', '2024-01-01T00:11:00.000Z'],
      },
    ]);
    // not matched: db within 5m (A at 00:01, C at 00:11), web strict (X between A and B)
  });

  it('runs sequences on the raw events of a windows query, beside the windows', async () => {
    const matches: ResultRecord[] = [];
    const windows: ResultRecord[] = [];
    const q = eddy
      .stream(arraySource(events))
      .groupBy(window('timestamp', '10 minutes'), 'metric')
      .agg(count())
      .patterns({ sequence: ['A -> B -> C'] })
      .writeStream(
        callbackSink((r) => {
          windows.push(...r);
        }),
      )
      .patternMatches(
        callbackSink((r) => {
          matches.push(...r);
        }),
      )
      .start();
    await q.awaitTermination();
    expect(matches.map((m) => [m.pattern, m.metric, m.start])).toEqual([
      ['A -> B -> C', 'web', '2024-01-01T00:00:00.000Z'],
      ['A -> B -> C', 'db', '2024-01-01T00:01:00.000Z'],
    ]);
    expect(windows.map((w) => [w.metric, w.count])).toEqual([
      ['web', 4],
      ['db', 1],
      ['db', 2],
    ]);
  });

  it('reports bad pattern syntax with the position', () => {
    expect(() => eddy.stream(arraySource([])).patterns({ sequence: ['A -> -> C'] })).toThrow(/column 6/);
  });
});
