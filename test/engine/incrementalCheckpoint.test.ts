/**
 * Incremental checkpoints through the runtime: with a store that keeps
 * chains, a task saves only the keys that changed since its last save, a
 * full save now and then (when the changes add up to the full save's size);
 * a restart restores full + changes to exactly the uninterrupted results, a
 * damaged newest save falls back to an older one (results complete, the
 * replayed ones with the same ids), and a save of a stream where few keys
 * are active is a small fraction of a full one.
 */
import { describe, expect, it } from 'vitest';
import { eddy, window, avg, count, max } from '../../src/index.js';
import { arraySource } from '../../src/sources/array.js';
import { callbackSink } from '../../src/sinks/callback.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { SINGLE_TASK_SCOPE } from '../../src/engine/query.js';
import { decodeEngineSnapshot } from '../../src/engine/engineSnapshot.js';
import { MemoryStateStore } from '../support/memoryStateStore.js';
import { runResumable, sortedByWindow } from '../support/resumableRun.js';

const T0 = Date.UTC(2024, 0, 1);
const BATCH = 50;

/** `n` events 1 s apart over `keys` keys, the first `warm` events each a different key (so many keys hold state, few stay active). */
function events(n: number, keys: number, warm = 0): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < warm; i++) rows.push({ timestamp: T0 + i, metric: `warm-${i}`, value: i % 97 });
  for (let i = 0; i < n; i++) rows.push({ timestamp: T0 + warm + i * 1_000 - ((i * 7919) % 15_000), metric: `m${(i * 31) % keys}`, value: (i * 37) % 101 });
  return rows;
}

async function run(rows: readonly Record<string, unknown>[], opts: { store?: MemoryStateStore; stopAfter?: number } = {}) {
  const records: ResultRecord[] = [];
  const log: string[] = [];
  const writer = eddy
    .stream(arraySource(rows, { batchSize: BATCH }))
    .withWatermark('timestamp', '20 seconds')
    .groupBy(window('timestamp', '1 minute', '30 seconds'), 'metric')
    .agg(count(), avg('value'), max('value'))
    .detectAnomalies({ rows: 5, score: false })
    .writeStream(
      callbackSink((batch) => {
        records.push(...batch);
      }),
    )
    .queryName('incremental')
    .log((line) => log.push(line));
  const query = await runResumable(writer, opts);
  return { records, log, query };
}

const saves = (store: MemoryStateStore) => store.saves.get(SINGLE_TASK_SCOPE) ?? [];

describe('incremental checkpoints', () => {
  const rows = events(1_500, 40);

  it('saves chains of changes with a full save now and then; a restart restores them to the uninterrupted results', async () => {
    const whole = await run(rows);
    const store = new MemoryStateStore();
    const first = await run(rows, { store, stopAfter: 20 });
    expect(first.query.exception).toBeNull();
    const kept = saves(store);
    expect(kept[0]!.chain).toBeUndefined();
    expect(kept.filter((s) => s.chain !== undefined).length).toBeGreaterThan(5);
    // a chain never outgrows its full save: a new full save starts a new one
    for (const s of kept.filter((k) => k.chain !== undefined)) {
      const base = kept[s.chain!.base - 1]!;
      const chainBytes = kept.filter((k) => k.chain?.base === base.seq && k.seq <= s.seq).reduce((n, k) => n + k.state.length, 0);
      expect(chainBytes - s.state.length).toBeLessThan(base.state.length);
    }
    const second = await run(rows, { store });
    expect(second.log.some((l) => /restored checkpoint \d+ = full checkpoint \d+ \+ \d+ of changes/.test(l))).toBe(true);
    expect(sortedByWindow([...first.records, ...second.records])).toEqual(sortedByWindow(whole.records));
  });

  it('a damaged newest save falls back to the one before it: every window still comes, the replayed ones the same', async () => {
    const whole = await run(rows);
    const store = new MemoryStateStore();
    const first = await run(rows, { store, stopAfter: 20 });
    const newest = saves(store).at(-1)!;
    expect(newest.chain).toBeDefined();
    store.corruptSave(SINGLE_TASK_SCOPE, newest.seq);
    const second = await run(rows, { store });
    expect(second.query.exception).toBeNull();
    const seen = new Map<string, ResultRecord>();
    for (const r of [...first.records, ...second.records]) {
      const k = JSON.stringify([r.window, r.metric]);
      const before = seen.get(k);
      if (before) expect(r, `window ${k} written again`).toEqual(before);
      seen.set(k, r);
    }
    expect(sortedByWindow([...seen.values()])).toEqual(sortedByWindow(whole.records));
  });

  it('with few keys active, a save of changes is a small fraction of a full save', async () => {
    // 20,000 keys seen once (they keep z-score state), then a stream over 20 of them
    const store = new MemoryStateStore();
    await run(events(2_000, 20, 20_000), { store });
    const kept = saves(store);
    const full = kept.find((s) => s.chain === undefined && decodeEngineSnapshot(s.state).header.keys.length > 20_000)!;
    const later = kept.filter((s) => s.chain?.base === full.seq);
    expect(later.length).toBeGreaterThan(5);
    const largest = Math.max(...later.map((s) => s.state.length));
    expect(largest * 50).toBeLessThan(full.state.length);
  });

  it('a store without chains gets full saves only, restored as before', async () => {
    const whole = await run(rows);
    const store = new MemoryStateStore();
    store.incremental = false;
    const first = await run(rows, { store, stopAfter: 10 });
    expect(saves(store).every((s) => s.chain === undefined)).toBe(true);
    const second = await run(rows, { store });
    expect(sortedByWindow([...first.records, ...second.records])).toEqual(sortedByWindow(whole.records));
  });
});
