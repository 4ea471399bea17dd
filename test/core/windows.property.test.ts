/**
 * Property tests: the wasm window core against the reference implementation
 * (test/reference/windows.ts), on random streams and configurations.
 *
 * Seeds are fixed (FC_SEED; override with EDDY_FC_SEED, runs with
 * EDDY_FC_RUNS); on failure fast-check prints the seed, the path and the
 * shrunk counterexample, and the error message says which batch/window/field
 * differs. Tolerances are documented in test/support/compare.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import {
  allLate, allWindows, configureCore, feedBatch, readLate, readWindows, runCore, runReference,
  type RunOut, type StreamEvent,
} from '../reference/windows.js';
import { check, lateMismatch, runMismatch, windowBits, windowsMismatch } from '../support/compare.js';
import { FC_SEED, batchSizes, fcRuns, splitArb, streamArb, tinyValueArb } from '../support/streams.js';

const newCore = () => loadCore('release');
const params = (numRuns: number, seedOffset: number): fc.Parameters<unknown> => ({ seed: FC_SEED + seedOffset, numRuns: fcRuns(numRuns) });

/** Late events of a run with their row turned into a global stream index (for split-independent comparisons). */
function globalLate(run: RunOut, sizes: readonly number[]): string {
  const offsets: number[] = [];
  sizes.reduce((at, n) => (offsets.push(at), at + n), 0);
  return allLate(run).map((l) => `${offsets[l.batch]! + l.row}:${l.ts}:${l.key}:${Object.is(l.value, -0) ? '-0' : l.value}`).join(' ');
}

describe('window core vs reference (properties)', () => {
  it('equals the reference per batch (windows and late events, then flush), any mode, any split', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const core = runCore(newCore, cfg, events, sizes);
        const ref = runReference(cfg, events, sizes);
        check(runMismatch(core, ref));
      }),
      params(400, 0),
    );
  });

  it('append mode: the whole output equals the reference after flush (order-insensitive)', () => {
    fc.assert(
      fc.property(streamArb({ mode: 'append' }), ({ cfg, events }) => {
        const core = runCore(newCore, cfg, events);
        const ref = runReference(cfg, events);
        check(windowsMismatch(allWindows(core), allWindows(ref), 'all windows: '));
        check(lateMismatch(core.batches[0]!.late, ref.batches[0]!.late));
        // after flush every window with events has been emitted exactly once
        const ids = allWindows(core).map((w) => `${w.key}|${w.start}`);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      params(300, 1),
    );
  });

  it('append mode: any batch split gives the identical output sequence (bit for bit) as one batch', () => {
    fc.assert(
      fc.property(streamArb({ mode: 'append' }), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const whole = runCore(newCore, cfg, events);
        const cut = runCore(newCore, cfg, events, sizes);
        expect(windowBits(allWindows(cut))).toBe(windowBits(allWindows(whole)));
        // windows close in order of end time
        const ends = allWindows(whole).map((w) => w.end);
        expect(ends).toEqual([...ends].sort((a, b) => a - b));
        expect(globalLate(cut, sizes)).toBe(globalLate(whole, [events.length]));
        check(runMismatch(cut, runReference(cfg, events, sizes)));
      }),
      params(300, 2),
    );
  });

  it('snapshot → restore into a fresh core at a random batch boundary continues identically', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, fc.nat(), ({ cfg, events }, split, at) => {
        const sizes = batchSizes(events.length, split);
        const snapshotAfter = at % (sizes.length + 1);
        const plain = runCore(newCore, cfg, events, sizes);
        const resumed = runCore(newCore, cfg, events, sizes, { snapshotAfter });
        // identical per-batch outputs (this is the whole sequence in append mode)
        for (let i = 0; i < sizes.length; i++) {
          expect(windowBits(resumed.batches[i]!.windows), `batch ${i} (snapshot after ${snapshotAfter})`).toBe(windowBits(plain.batches[i]!.windows));
          expect(resumed.batches[i]!.late).toEqual(plain.batches[i]!.late);
          expect(resumed.batches[i]!.watermark).toBe(plain.batches[i]!.watermark);
        }
        expect(windowBits(resumed.flush.windows), 'flush').toBe(windowBits(plain.flush.windows));
        if (cfg.mode === 'append') expect(windowBits(allWindows(resumed))).toBe(windowBits(allWindows(plain)));
      }),
      params(250, 3),
    );
  });

  it('update mode: per-batch emissions equal the reference for random batch splits', () => {
    fc.assert(
      fc.property(streamArb({ mode: 'update' }), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const core = runCore(newCore, cfg, events, sizes);
        const ref = runReference(cfg, events, sizes);
        check(runMismatch(core, ref));
        // a window is emitted at most once per batch
        for (const b of core.batches) {
          const ids = b.windows.map((w) => `${w.key}|${w.start}`);
          expect(new Set(ids).size).toBe(ids.length);
        }
      }),
      params(400, 4),
    );
  });

  it('late-event records carry the event and its row index within its batch', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const core = runCore(newCore, cfg, events, sizes);
        let offset = 0;
        let late = 0;
        core.batches.forEach((b, i) => {
          let lastRow = -1;
          for (const l of b.late) {
            expect(Number.isInteger(l.row) && l.row >= 0 && l.row < sizes[i]!, `row ${l.row} in batch of ${sizes[i]}`).toBe(true);
            expect(l.row).toBeGreaterThan(lastRow); // row order, each event at most once
            lastRow = l.row;
            const e = events[offset + l.row]!;
            expect([l.ts, l.key, l.value]).toEqual([e.ts, e.key, e.value]);
          }
          late += b.late.length;
          offset += sizes[i]!;
        });
        const refLate = runReference(cfg, events, sizes).batches.reduce((n, b) => n + b.late.length, 0);
        expect(late).toBe(refLate);
      }),
      params(200, 5),
    );
  });

  it('watermark() is max ts − delay after every batch (null before any event); event and late counters agree', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const core = newCore();
        configureCore(core, cfg);
        expect(core.watermark()).toBeNull();
        let at = 0;
        let maxTs = -Infinity;
        const lateByKey = new Map<number, number>();
        let late = 0;
        for (const n of sizes) {
          const batch: StreamEvent[] = events.slice(at, at + n);
          at += n;
          feedBatch(core, batch);
          for (const e of batch) maxTs = Math.max(maxTs, e.ts);
          expect(core.watermark()).toBe(maxTs === -Infinity ? null : maxTs - cfg.delay);
          for (const l of readLate(core)) lateByKey.set(l.key, (lateByKey.get(l.key) ?? 0) + 1);
          late += core.lateRecords().count;
        }
        const ex = core.exports;
        expect([ex.stats_events(), ex.stats_late(), ex.stats_invalid()]).toEqual([events.length - late, late, 0]);
        for (const k of new Set(events.map((e) => e.key))) expect(ex.stats_key_late(k), `late count of key ${k}`).toBe(lateByKey.get(k) ?? 0);
      }),
      params(200, 6),
    );
  });

  // Values below 1e-150: squared deviations underflow into subnormals, where a
  // plain Welford M2 loses significant bits. The spec's stddev tolerance
  // (1e-9 · max(stddev, max − min) + 1e-300) still applies.
  it('equals the reference for tiny values (|x| < 1e-150, squares underflow)', () => {
    fc.assert(
      fc.property(streamArb({ values: tinyValueArb, maxEvents: 30 }), ({ cfg, events }) => {
        check(runMismatch(runCore(newCore, cfg, events), runReference(cfg, events)));
      }),
      params(200, 9),
    );
  });

  it('debug and release builds produce bit-identical output', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const rel = runCore(() => loadCore('release'), cfg, events, sizes);
        const dbg = runCore(() => loadCore('debug'), cfg, events, sizes);
        for (let i = 0; i < sizes.length; i++) {
          expect(windowBits(dbg.batches[i]!.windows)).toBe(windowBits(rel.batches[i]!.windows));
          expect(dbg.batches[i]!.late).toEqual(rel.batches[i]!.late);
        }
        expect(windowBits(dbg.flush.windows)).toBe(windowBits(rel.flush.windows));
      }),
      params(100, 7),
    );
  });

  it('after flush every event is late, in both modes', () => {
    fc.assert(
      fc.property(streamArb(), streamArb(), ({ cfg, events }, more) => {
        const core = newCore();
        configureCore(core, cfg);
        feedBatch(core, events);
        core.flush();
        feedBatch(core, more.events);
        expect(readWindows(core)).toEqual([]);
        expect(readLate(core).length).toBe(more.events.length);
      }),
      params(100, 8),
    );
  });
});
