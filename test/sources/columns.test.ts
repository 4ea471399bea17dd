/**
 * columnSource: events given as typed-array columns give the same windows
 * as the same events given as objects, however they are cut into batches;
 * rows the engine cannot take are rejected by row.
 */
import { describe, expect, it } from 'vitest';
import { eddy, window, count, sum, max } from '../../src/index.js';
import { arraySource } from '../../src/sources/array.js';
import { columnSource } from '../../src/sources/columns.js';
import { callbackSink } from '../../src/sinks/callback.js';
import type { ColumnBatch } from '../../src/engine/columnBatch.js';
import type { Source } from '../../src/engine/source.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import type { InputError } from '../../src/engine/inputError.js';

const T0 = Date.UTC(2024, 0, 1);
const events = Array.from({ length: 5000 }, (_, i) => ({ timestamp: T0 + i * 97, metric: `k${(i * 7) % 13}`, value: (i % 11) - 3 }));

async function windowsOf(source: Source): Promise<{ windows: ResultRecord[]; errors: InputError[] }> {
  const windows: ResultRecord[] = [];
  const errors: InputError[] = [];
  const dead = callbackSink((records) => {
    errors.push(...(records as unknown as InputError[]));
  });
  const q = eddy
    .stream(source)
    .withWatermark('timestamp', 1000)
    .groupBy(window('timestamp', 60_000), 'metric')
    .agg(count(), sum('value'), max('value'))
    .writeStream(
      callbackSink((records) => {
        windows.push(...records);
      }),
    )
    .deadLetter(dead)
    .option('batchSize', 1000)
    .start();
  await q.awaitTermination();
  return { windows, errors };
}

/** The events as column batches of `size` rows, each with its own key dictionary. */
function asColumns(size: number): ColumnBatch[] {
  const out: ColumnBatch[] = [];
  for (let from = 0; from < events.length; from += size) {
    const part = events.slice(from, from + size);
    const names = [...new Set(part.map((e) => e.metric))];
    out.push({
      rows: part.length,
      ts: Float64Array.from(part, (e) => e.timestamp),
      value: Float64Array.from(part, (e) => e.value),
      key: Int32Array.from(part, (e) => names.indexOf(e.metric)),
      keys: names,
    });
  }
  return out;
}

describe('columnSource', () => {
  it('gives the windows the object path gives, for any batch size', async () => {
    const expected = await windowsOf(arraySource(events));
    expect(expected.windows.length).toBeGreaterThan(50);
    for (const size of [1, 333, 1000, 5000]) {
      const got = await windowsOf(columnSource(asColumns(size)));
      expect(got.errors).toEqual([]);
      expect(got.windows, `batches of ${size}`).toEqual(expected.windows);
    }
  });

  it('rejects rows with a bad time or value by row, keeps the others', async () => {
    const batch: ColumnBatch = {
      rows: 3,
      ts: Float64Array.of(T0, NaN, T0 + 1),
      value: Float64Array.of(1, 2, Infinity),
      key: Int32Array.of(0, 0, 0),
      keys: ['a'],
    };
    const got = await windowsOf(columnSource([batch]));
    expect(got.windows.map((w) => w.count)).toEqual([1]);
    expect(got.errors.map((e) => [e.offset, e.kind])).toEqual([
      [1, 'bad_timestamp'],
      [2, 'non_finite'],
    ]);
  });
});
