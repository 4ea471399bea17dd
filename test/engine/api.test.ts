/**
 * The fluent API and the StreamingQuery lifecycle.
 */
import { describe, it, expect } from 'vitest';
import { eddy, window, avg, stddev, min, max, count, sum, memoryTable } from '../../src/index.js';
import { arraySource } from '../../src/sources/array.js';
import { generatorSource } from '../../src/sources/generator.js';
import { memorySink } from '../../src/sinks/memory.js';
import { callbackSink } from '../../src/sinks/callback.js';
import type { Sink } from '../../src/engine/sink.js';
import type { QueryProgress } from '../../src/engine/progress.js';

const T = Date.UTC(2024, 0, 1);
const rows = [
  { timestamp: T, metric: 'cpu', value: 1 },
  { timestamp: T + 10_000, metric: 'cpu', value: 3 },
  { timestamp: T + 20_000, metric: 'mem', value: 5 },
  { timestamp: T + 70_000, metric: 'cpu', value: 7 },
];

describe('fluent API', () => {
  it('runs the seed pipeline into a named memory table (Spark vocabulary end to end)', async () => {
    const query = eddy
      .stream(arraySource(rows))
      .withWatermark('timestamp', '10 minutes')
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(avg('value'), stddev('value'), min('value'), max('value'), count(), sum('value').alias('total'))
      .writeStream(memorySink('api_results'))
      .queryName('api')
      .start();
    expect(query.isActive).toBe(true);
    expect(await query.awaitTermination()).toBe(true);
    expect(query.isActive).toBe(false);
    const table = memoryTable('api_results')!;
    expect(table.rows()).toEqual([
      {
        window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' },
        metric: 'cpu',
        avg_value: 2,
        stddev_value: Math.SQRT2,
        min_value: 1,
        max_value: 3,
        count: 2,
        total: 4,
      },
      {
        window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' },
        metric: 'mem',
        avg_value: 5,
        stddev_value: null,
        min_value: 5,
        max_value: 5,
        count: 1,
        total: 5,
      },
      {
        window: { start: '2024-01-01T00:01:00.000Z', end: '2024-01-01T00:02:00.000Z' },
        metric: 'cpu',
        avg_value: 7,
        stddev_value: null,
        min_value: 7,
        max_value: 7,
        count: 1,
        total: 7,
      },
    ]);
    // one batch of input, then the end-of-input flush as a progress entry of its own
    expect(query.recentProgress).toHaveLength(2);
    const [p, flush] = query.recentProgress as [QueryProgress, QueryProgress];
    expect(p.name).toBe('api');
    expect(p.numInputRows).toBe(4);
    expect(p.numOutputRows).toBe(0);
    expect(p.watermark).toBe('2023-12-31T23:51:10.000Z');
    expect(p.totals).toMatchObject({ inputRows: 4, lateRows: 0, errors: 0 });
    for (const field of ['inputRowsPerSecond', 'processedRowsPerSecond', 'batchDurationMs'] as const) expect(p[field]).toBeGreaterThanOrEqual(0);
    expect(flush).toMatchObject({ numInputRows: 0, numOutputRows: 3, totals: { inputRows: 4, outputRows: 3 } });
    expect(query.lastProgress).toBe(flush);
  });

  it('emits changed windows after every batch in update mode; the memory table upserts them', async () => {
    const batches: number[] = [];
    const query = eddy
      .stream(arraySource(rows, { batchSize: 1 }))
      .withWatermark('timestamp', '10 minutes')
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(count())
      .writeStream(memorySink('api_update'))
      .outputMode('update')
      .onProgress((p) => batches.push(p.numOutputRows))
      .start();
    await query.awaitTermination();
    expect(batches).toEqual([1, 1, 1, 1, 0]); // four batches, then the final flush (nothing new to update)
    expect(
      memoryTable('api_update')!
        .rows()
        .map((r) => [r.metric, r.count]),
    ).toEqual([
      ['cpu', 2],
      ['mem', 1],
      ['cpu', 1],
    ]);
  });

  it('counts late events per key and routes them to the late sink', async () => {
    const late: unknown[] = [];
    const query = eddy
      .stream(arraySource([...rows, { timestamp: T - 3_600_000, metric: 'cpu', value: 99 }]))
      .withWatermark('timestamp', '1 minute')
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(count(), avg('value'))
      .writeStream(callbackSink(() => undefined))
      .lateEvents(
        callbackSink((r) => {
          late.push(...r);
        }),
      )
      .start();
    await query.awaitTermination();
    expect(late).toEqual([{ timestamp: '2023-12-31T23:00:00.000Z', metric: 'cpu', value: 99 }]);
    expect(query.lateCountOf('cpu')).toBe(1);
    expect(query.lateCountOf('mem')).toBe(0);
    expect(query.lastProgress!.totals.lateRows).toBe(1);
  });

  it('counts rows without reading a value column when count() is the only aggregate (late records then carry no value)', async () => {
    const late: unknown[] = [];
    const table: unknown[] = [];
    const query = eddy
      .stream(
        arraySource([
          { timestamp: T, metric: 'cpu' },
          { timestamp: T + 120_000, metric: 'cpu' },
          { timestamp: T, metric: 'cpu' },
        ]),
      )
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(count())
      .writeStream(
        callbackSink((r) => {
          table.push(...r);
        }),
      )
      .lateEvents(
        callbackSink((r) => {
          late.push(...r);
        }),
      )
      .start();
    await query.awaitTermination();
    expect(table.map((r) => (r as { count: number }).count)).toEqual([1, 1]);
    expect(late).toEqual([{ timestamp: '2024-01-01T00:00:00.000Z', metric: 'cpu' }]);
  });

  it('stops an endless source, optionally flushing open windows', async () => {
    for (const flush of [false, true]) {
      let written = 0;
      const query = eddy
        .stream(generatorSource({ keys: 3, rate: 2000 }))
        .groupBy(window('timestamp', '1 hour'), 'metric')
        .agg(count())
        .writeStream(
          callbackSink((r) => {
            written += r.length;
          }),
        )
        .start();
      expect(await query.awaitTermination(300)).toBe(false);
      await query.stop({ flush });
      expect(query.isActive).toBe(false);
      expect(query.lastProgress!.totals.inputRows).toBeGreaterThan(0);
      expect(written).toBe(flush ? 3 : 0);
    }
  });

  it('fails the query with the sink error and rejects awaitTermination', async () => {
    const failing: Sink = {
      description: 'failing',
      open() {},
      flush() {},
      close() {},
      write() {
        throw new Error('disk on fire');
      },
    };
    const query = eddy.stream(arraySource(rows)).groupBy(window('timestamp', '1 minute'), 'metric').agg(count()).writeStream(failing).start();
    await expect(query.awaitTermination()).rejects.toThrow('disk on fire');
    expect(query.exception?.message).toBe('disk on fire');
    expect(query.isActive).toBe(false);
  });

  it('validates each step with a message naming the problem', () => {
    const s = eddy.stream(arraySource(rows));
    expect(() => s.groupBy('metric' as never)).toThrow(/first column must be window/);
    expect(() => s.withWatermark('ts', '1 minute').groupBy(window('timestamp', '1 minute'))).toThrow(/watermark is on 'ts' but the window is on 'timestamp'/);
    expect(() => s.groupBy(window('timestamp', '1 minute'), 'metric').agg()).toThrow(/at least one aggregate/);
    expect(() => s.groupBy(window('timestamp', '1 minute'), 'metric').agg(avg('value'), max('latency'))).toThrow(
      /one value column per query, got value and latency/,
    );
    expect(() => s.groupBy(window('timestamp', '1 minute'), 'metric').agg(avg('value'), avg('value'))).toThrow(/'avg_value' appears twice/);
    expect(() => window('timestamp', '1 minute', '2 minutes')).toThrow(/must not be longer than the window/);
    expect(() => window('timestamp', '5 minuts')).toThrow(/window size/);
    const w = s
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(count())
      .writeStream(callbackSink(() => undefined));
    expect(() => w.outputMode('complete' as never)).toThrow(/'append' or 'update'/);
    expect(() => w.option('batchSize', 0)).toThrow(/batchSize/);
    expect(() => w.option('nope' as never, 1 as never)).toThrow(/unknown option/);
    expect(() => eddy.stream({} as never)).toThrow(/expected a source/);
  });

  it('reports bad rows without stopping, through the log hook', async () => {
    const lines: string[] = [];
    const table: unknown[] = [];
    const query = eddy
      .stream(arraySource([{ timestamp: T, metric: 'cpu', value: 'x' }, { timestamp: T, metric: 'cpu', value: 2 }, null as never]))
      .groupBy(window('timestamp', '1 minute'), 'metric')
      .agg(count(), max('value'))
      .writeStream(
        callbackSink((r) => {
          table.push(...r);
        }),
      )
      .log((l) => lines.push(l))
      .start();
    await query.awaitTermination();
    expect(lines).toEqual([`bad input at array line 1: field 'value': not a number ("x")`, 'bad input at array line 3: expected an object, got null']);
    expect(table).toHaveLength(1);
    expect(query.rejected).toEqual({ not_a_number: 1, malformed: 1 });
    expect(query.lastProgress!.totals.errors).toBe(2);
  });
});
