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
  allLate,
  allWindows,
  configureCore,
  feedBatch,
  readLate,
  readWindows,
  runCore,
  runReference,
  type RunOut,
  type StreamEvent,
} from '../reference/windows.js';
import { check, lateMismatch, runMismatch, windowBits, windowsMismatch } from '../support/compare.js';
import { FC_SEED, batchSizes, fcRuns, longStream, splitArb, streamArb, tinyValueArb } from '../support/streams.js';

const newCore = () => loadCore();
const params = (numRuns: number, seedOffset: number): fc.Parameters<unknown> => ({ seed: FC_SEED + seedOffset, numRuns: fcRuns(numRuns) });

/** Late events of a run with their row turned into a global stream index (for split-independent comparisons). */
function globalLate(run: RunOut, sizes: readonly number[]): string {
  const offsets: number[] = [];
  sizes.reduce((at, n) => {
    offsets.push(at);
    return at + n;
  }, 0);
  return allLate(run)
    .map((l) => `${offsets[l.batch]! + l.row}:${l.ts}:${l.key}:${Object.is(l.value, -0) ? '-0' : l.value}`)
    .join(' ');
}

// Generous per-test timeout: the default 5 s is too short when EDDY_FC_RUNS raises the run count.
describe('window core vs reference (properties)', { timeout: 600_000 }, () => {
  it('equals the reference per batch (windows and late events, then flush), any mode, any split', () => {
    fc.assert(
      fc.property(streamArb(), splitArb, ({ cfg, events }, split) => {
        const sizes = batchSizes(events.length, split);
        const core = runCore(newCore, cfg, events, sizes);
        const ref = runReference(cfg, events, sizes);
        check(runMismatch(core, ref));
      }),
      params(800, 0),
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
      params(400, 1),
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
      params(500, 2),
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
      params(400, 3),
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
      params(600, 4),
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

  it('many keys, large batches (> 4096 rows, > 1024 output records per call): equals the reference, split-independent', () => {
    for (const cfg of [
      { size: 5, slide: 2, delay: 3, lateness: 2, mode: 'append' as const },
      { size: 4, slide: 4, delay: 1, lateness: 0, mode: 'update' as const },
    ]) {
      const events = longStream(cfg, 9000, 3000, 42);
      const one = runCore(newCore, cfg, events);
      check(runMismatch(one, runReference(cfg, events)));
      expect(Math.max(...one.batches.map((b) => b.windows.length), one.flush.windows.length)).toBeGreaterThan(1024);
      const sizes = batchSizes(events.length, { kind: 'cuts', cuts: [17, 4500, 4501, 8000, 1, 9000] });
      const cut = runCore(newCore, cfg, events, sizes, { snapshotAfter: 3 });
      check(runMismatch(cut, runReference(cfg, events, sizes)));
      if (cfg.mode === 'append') expect(windowBits(allWindows(cut))).toBe(windowBits(allWindows(one)));
    }
  });

  it('many keys with random splits and snapshots (property)', () => {
    fc.assert(
      fc.property(streamArb({ keys: fc.integer({ min: 0, max: 3000 }), maxEvents: 400 }), splitArb, fc.nat(), ({ cfg, events }, split, at) => {
        const sizes = batchSizes(events.length, split);
        const run = runCore(newCore, cfg, events, sizes, { snapshotAfter: at % (sizes.length + 1) });
        check(runMismatch(run, runReference(cfg, events, sizes)));
      }),
      params(40, 10),
    );
  });

  // Non-dyadic fractional delay/lateness (e.g. '0.3 ms' parses to 0.3). The
  // spec's closeWm is maxTs − delay − lateness. Streams where that double
  // formula and exact real arithmetic disagree on some close decision are
  // ambiguous and skipped; on the others, both readings of the spec agree,
  // so the core must agree too.
  it('fractional delay and lateness: windows close when maxTs − delay − lateness ≥ end', () => {
    const cfgArb = fc
      .record({
        size: fc.integer({ min: 1, max: 4 }),
        slideDiv: fc.integer({ min: 1, max: 4 }),
        delay: fc.constantFrom(0, 0.1, 0.2, 0.3, 0.7, 1.1),
        lateness: fc.constantFrom(0, 0.1, 0.2, 0.3, 1.7),
        mode: fc.constantFrom('append' as const, 'update' as const),
      })
      .map(({ size, slideDiv, delay, lateness, mode }) => ({ size, slide: Math.max(1, Math.floor(size / slideDiv)), delay, lateness, mode }));
    const arb = fc.record({ cfg: cfgArb, steps: fc.array(fc.tuple(fc.integer({ min: -30, max: 30 }), fc.integer({ min: 0, max: 2 })), { maxLength: 40 }) });
    fc.assert(
      fc.property(arb, ({ cfg, steps }) => {
        let t = 10;
        const events = steps.map(([d, key], i) => ({ ts: (t = t + d * 0.1), key, value: i }));
        const ref = runReference(cfg, events);
        fc.pre(ref.ambiguous === 0);
        check(runMismatch(runCore(newCore, cfg, events), ref));
      }),
      params(3000, 11),
    );
  });

  it('fractional delay and lateness, minimal case: 10.6 − 0.3 − 0.3 < 10 keeps window [9, 10) open', () => {
    const cfg = { size: 1, slide: 1, delay: 0.3, lateness: 0.3, mode: 'append' as const };
    const events = [
      { ts: 9.1, key: 0, value: 1 },
      { ts: 10.6, key: 0, value: 2 },
    ];
    // exact: 10.6 − 0.3 − 0.3 (as the doubles' real values) is 9.99999999999999966693… < 10; in doubles: 9.999999999999998; the core rounds 10.6 − (0.3 + 0.3) to 10
    expect(10.6 - 0.3 - 0.3).toBeLessThan(10);
    const ref = runReference(cfg, events);
    expect(ref.ambiguous).toBe(0);
    expect(ref.batches[0]!.windows).toEqual([]);
    check(runMismatch(runCore(newCore, cfg, events), ref));
  });

  // Values below 1e-150: squared deviations underflow into subnormals, where a
  // plain Welford M2 loses significant bits; the documented absolute floors
  // (stddev 1e-150, sum 1e-322; see test/support/compare.ts) bound the error.
  it('equals the reference for tiny values within the documented floors (|x| < 1e-150)', () => {
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
