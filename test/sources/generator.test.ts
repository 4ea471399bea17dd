import { describe, expect, it } from 'vitest';
import { generatorSource, KEY_NAMES } from '../../src/sources/generator.js';
import type { Row } from '../../src/engine/source.js';
import { collect, flatten } from './collect.js';

const START = Date.UTC(2024, 0, 1);

async function rowsOf(options: Parameters<typeof generatorSource>[0], maxRows = 1000): Promise<Row[]> {
  return flatten(await collect(generatorSource(options), maxRows)).rows;
}

describe('generatorSource', () => {
  it('makes rows for 8 named keys, round-robin in event time, by default', async () => {
    const rows = await rowsOf({ limit: 24 });
    expect(rows.slice(0, 8).map((r) => r.metric)).toEqual(['cpu', 'memory', 'disk_io', 'net_in', 'net_out', 'latency_ms', 'requests', 'errors']);
    expect(rows.map((r) => r.timestamp)).toEqual(Array.from({ length: 24 }, (_, i) => START + Math.floor(i / 8) * 1000));
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['timestamp', 'metric', 'value', 'type']);
      expect(typeof row.value).toBe('number');
      expect(Number.isFinite(row.value)).toBe(true);
      expect(['A', 'B', 'C', 'D']).toContain(row.type);
    }
  });

  it('names keys beyond the eighth metric_<index>', () => {
    const source = generatorSource({ keys: 11, limit: 1 });
    expect(source.keyNames).toEqual([...KEY_NAMES, 'metric_8', 'metric_9', 'metric_10']);
  });

  it('gives the same rows for the same seed whatever the batch size', async () => {
    const reference = await rowsOf({ seed: 5, limit: 500, jitter: '3 s', lateRate: 0.1, anomalyRate: 0.05 }, 1000);
    expect(reference).toHaveLength(500);
    for (const maxRows of [1, 7, 64]) {
      const batches = await collect(generatorSource({ seed: 5, limit: 500, jitter: '3 s', lateRate: 0.1, anomalyRate: 0.05 }), maxRows);
      expect(batches.every((b) => b.rows.length <= maxRows && b.errors.length === 0)).toBe(true);
      expect(flatten(batches).rows).toEqual(reference);
    }
    expect(await rowsOf({ seed: 6, limit: 500 })).not.toEqual(reference);
  });

  it('regenerates any row on its own with rowAt', async () => {
    const source = generatorSource({ seed: 3, limit: 300, jitter: 500 });
    const rows = flatten(await collect(source, 50)).rows;
    for (const i of [0, 1, 17, 150, 299]) expect(source.rowAt(i)).toEqual(rows[i]);
  });

  it('stops at limit and is bounded only with a limit', async () => {
    expect(await rowsOf({ limit: 0 })).toEqual([]);
    expect(await rowsOf({ limit: 1001 }, 100)).toHaveLength(1001);
    expect(generatorSource({ limit: 10 }).bounded).toBe(true);
    expect(generatorSource().bounded).toBe(false);
  });

  it('an endless generator stops on abort even when the consumer never waits', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    let rows = 0;
    for await (const batch of generatorSource().batches(1000, controller.signal)) rows += batch.rows.length;
    expect(rows).toBeGreaterThan(0);
  });

  it('moves event times back by at most jitter, never forward', async () => {
    const source = generatorSource({ limit: 4000, jitter: '5 s', keys: 4 });
    const rows = flatten(await collect(source)).rows;
    const shifts = rows.map((r, i) => source.nominalTime(i) - (r.timestamp as number));
    expect(Math.min(...shifts)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...shifts)).toBeLessThanOrEqual(5000);
    expect(Math.max(...shifts)).toBeGreaterThan(4000); // jitter is really used
    expect(shifts.every(Number.isInteger)).toBe(true);
  });

  it('pushes a lateRate fraction of events back by lateBy and marks them on request', async () => {
    const source = generatorSource({ limit: 5000, lateRate: 0.2, lateBy: '30 minutes', markAnomalies: true });
    const rows = flatten(await collect(source)).rows;
    const late = rows.filter((r) => r.late === true);
    expect(late.length / rows.length).toBeGreaterThan(0.17);
    expect(late.length / rows.length).toBeLessThan(0.23);
    rows.forEach((r, i) => {
      const shift = source.nominalTime(i) - (r.timestamp as number);
      expect(shift).toBe(r.late === true ? 30 * 60_000 : 0);
    });
    // Without markAnomalies the same rows carry no marks.
    const unmarked = await rowsOf({ limit: 5000, lateRate: 0.2 });
    expect(unmarked.some((r) => 'late' in r || 'anomaly' in r)).toBe(false);
    expect(unmarked.map((r) => r.timestamp)).toEqual(rows.map((r) => r.timestamp));
  });

  it('injects spikes of anomalyMagnitude noise sigmas and marks them', async () => {
    const options = { limit: 4000, seed: 11, noise: 0.05, anomalyMagnitude: 8, markAnomalies: true };
    const spiky = await rowsOf({ ...options, anomalyRate: 0.05 });
    const clean = await rowsOf({ ...options, anomalyRate: 0 });
    const spikes = spiky.filter((r) => r.anomaly === true).length;
    expect(spikes / spiky.length).toBeGreaterThan(0.035);
    expect(spikes / spiky.length).toBeLessThan(0.065);
    spiky.forEach((r, i) => {
      const diff = Math.abs((r.value as number) - (clean[i]!.value as number));
      // base ≥ 10, so a spike moves the value by at least 8 · 0.05 · 10 = 4.
      if (r.anomaly === true) expect(diff).toBeGreaterThan(3.99);
      else expect(diff).toBe(0);
    });
    expect(clean.some((r) => 'anomaly' in r)).toBe(false);
  });

  it('follows the seasonal cycle: without noise, values repeat every season', async () => {
    const keys = 3;
    const rows = await rowsOf({ keys, limit: keys * 120, step: '1 s', season: '1 min', noise: 0, anomalyRate: 0 });
    for (let i = 0; i < keys * 60; i++) expect(rows[i + keys * 60]!.value).toBeCloseTo(rows[i]!.value as number, 2);
    const cpu = rows.filter((r) => r.metric === 'cpu').map((r) => r.value as number);
    expect(Math.max(...cpu) - Math.min(...cpu)).toBeGreaterThan(0); // the cycle moves the value
  });

  it('uses start, step and keyField', async () => {
    const rows = await rowsOf({ keys: 2, limit: 4, start: '2020-05-01T00:00:00Z', step: '5 minutes', keyField: 'host' });
    const t0 = Date.UTC(2020, 4, 1);
    expect(rows.map((r) => [r.timestamp, r.host])).toEqual([
      [t0, 'cpu'],
      [t0, 'memory'],
      [t0 + 300_000, 'cpu'],
      [t0 + 300_000, 'memory'],
    ]);
    expect(rows.every((r) => !('metric' in r))).toBe(true);
  });

  it('paces rows with rate', async () => {
    const started = performance.now();
    const batches = await collect(generatorSource({ rate: 200, limit: 40 }), 1000);
    const elapsed = performance.now() - started;
    expect(flatten(batches).rows).toHaveLength(40);
    expect(elapsed).toBeGreaterThanOrEqual(150); // row 39 is due after 195 ms
    expect(elapsed).toBeLessThan(2000);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('stamps each batch with when its first row fell due (event→result latency)', async () => {
    const before = performance.now();
    const batches = await collect(generatorSource({ rate: 200, limit: 40 }), 1000);
    let rowsBefore = 0;
    for (const b of batches) {
      // row i is due i / rate seconds after the source started
      expect(b.receivedAt).toBeGreaterThanOrEqual(before + rowsBefore * 5 - 1);
      expect(b.receivedAt).toBeLessThanOrEqual(performance.now());
      rowsBefore += b.rows.length;
    }
  });

  it('lets timers run when paced faster than its consumer takes rows', async () => {
    // Each batch costs 0.5 ms, so at 1M rows/s rows are always due: the
    // generator must still sleep (once a tick) or breathe, or no timer fires.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const controller = new AbortController();
    const started = performance.now();
    let batches = 0;
    try {
      for await (const batch of generatorSource({ rate: 1_000_000 }).batches(1000, controller.signal)) {
        batches += batch.rows.length > 0 ? 1 : 0;
        const until = performance.now() + 0.5;
        while (performance.now() < until) {
          /* busy: the engine's work */
        }
        // enough ticks (or long enough to be sure there are none: a starved loop gives 0)
        if (ticks >= 5 || performance.now() - started > 3000) break;
      }
    } finally {
      clearInterval(timer);
    }
    expect(batches).toBeGreaterThan(1);
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('stops promptly when aborted while pacing', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const { rows } = flatten(await collect(generatorSource({ rate: 0.1 }), 1000, controller.signal));
    expect(rows).toHaveLength(1); // row 0 is due at once, row 1 after 10 s
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses bad options with RangeErrors naming them', () => {
    const bad: [Parameters<typeof generatorSource>[0], RegExp][] = [
      [{ keys: 0 }, /'keys'/],
      [{ keys: 2.5 }, /'keys'/],
      [{ seed: Number.NaN }, /'seed'/],
      [{ start: 'yesterday' }, /'start'/],
      [{ step: 0 }, /'step'/],
      [{ step: 'fortnight' }, /'step'/],
      [{ rate: -1 }, /'rate'/],
      [{ rate: 'fast' as never }, /'rate'/],
      [{ limit: -1 }, /'limit'/],
      [{ season: '0 s' }, /'season'/],
      [{ noise: -0.1 }, /'noise'/],
      [{ anomalyRate: 1.5 }, /'anomalyRate'/],
      [{ anomalyMagnitude: Number.POSITIVE_INFINITY }, /'anomalyMagnitude'/],
      [{ jitter: -5 }, /'jitter'/],
      [{ lateRate: -0.1 }, /'lateRate'/],
      [{ lateBy: 'soon' }, /'lateBy'/],
      [{ keyField: '' }, /'keyField'/],
      [{ keyField: 'value' }, /'keyField'/],
      [{ markAnomalies: 'yes' as never }, /'markAnomalies'/],
    ];
    for (const [options, message] of bad) {
      expect(() => generatorSource(options), JSON.stringify(options)).toThrow(RangeError);
      expect(() => generatorSource(options)).toThrow(message);
    }
  });
});
