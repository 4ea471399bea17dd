/**
 * Property tests: the analytics stages of the wasm core (rolling z-score,
 * Holt / Holt-Winters, threshold patterns; events stage and windows stage)
 * against the plain references in test/reference/{zscore,holt,stages}.ts.
 *
 * Seeds are fixed (FC_SEED + offset; override with EDDY_FC_SEED, runs with
 * EDDY_FC_RUNS); on failure fast-check prints the seed, the path and the
 * shrunk counterexample, and the message says which call/row/field differs.
 * Tolerances are documented in test/support/stageCompare.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { allWindows, runReference, sortWindows, type RunOut, type WindowOut } from '../reference/windows.js';
import {
  ReferenceStage,
  allEventRows,
  referenceEventRows,
  rowBits,
  runStagesCore,
  stageEnabled,
  toStageRow,
  type RefStageRow,
  type StageRun,
} from '../reference/stages.js';
import { check, runMismatch } from '../support/compare.js';
import { stageRowMismatch, stageRowsMismatch } from '../support/stageCompare.js';
import { FC_SEED, batchSizes, configArb, fcRuns, splitArb } from '../support/streams.js';
import { stageConfigArb, stageStreamArb } from '../support/stageStreams.js';

const newCore = () => loadCore();
const params = (numRuns: number, seedOffset: number): fc.Parameters<unknown> => ({ seed: FC_SEED + 100 + seedOffset, numRuns: fcRuns(numRuns) });

/** A stage run as the window reference's RunOut (to compare the windows themselves). */
function asRunOut(run: StageRun): RunOut {
  return { batches: run.batches.map((b) => ({ windows: b.windows, late: b.late })), flush: { windows: run.flush.windows, late: run.flush.late } };
}

describe('analytics stages vs reference (properties)', { timeout: 600_000 }, () => {
  it('events stage = reference row by row, any batch split, across snapshot → restore into an unconfigured core, windows off or on', () => {
    fc.assert(
      fc.property(
        stageStreamArb({ invalid: true }),
        stageConfigArb,
        splitArb,
        fc.option(fc.nat(), { nil: undefined }),
        configArb(),
        (events, cfg, split, at, windowCfg) => {
          const sizes = batchSizes(events.length, split);
          const snapshotAfter = at === undefined ? undefined : at % (sizes.length + 1);
          const expected = referenceEventRows(cfg, events);

          // events only (window_enable(0)), optionally through a snapshot
          const run = runStagesCore(newCore, events, sizes, { events: cfg, windows: null, snapshotAfter });
          const offsets: number[] = [];
          sizes.reduce((o, n) => {
            offsets.push(o);
            return o + n;
          }, 0);
          run.batches.forEach((b, i) => {
            const n = sizes[i]!;
            expect(b.events.length, `batch ${i}: one stage row per input row`).toBe(stageEnabled(cfg) ? n : 0);
            // window_enable(0) must survive the snapshot: no window records, no windows-stage rows
            expect(b.windows.length + b.windowRows.length, `batch ${i}: windows are off`).toBe(0);
          });
          check(
            stageRowsMismatch(allEventRows(run).map(toStageRow), expected, `events (snapshot after ${String(snapshotAfter)})`, (i) => {
              const e = events[i]!;
              return `row ${i} (key ${e.key}, ts ${e.ts}, x ${e.value}; batch sizes ${sizes.join(',')})`;
            }),
          );

          // the same with the window kernel on (either mode): the events stage must not change, bit for bit
          const withWindows = runStagesCore(newCore, events, sizes, { events: cfg, windows: windowCfg, snapshotAfter });
          expect(rowBits(allEventRows(withWindows)), 'events stage with windows on').toBe(rowBits(allEventRows(run)));
          // and a snapshot must not change anything either
          if (snapshotAfter !== undefined) {
            const plain = runStagesCore(newCore, events, sizes, { events: cfg, windows: null });
            expect(rowBits(allEventRows(run)), 'snapshot/restore vs uninterrupted').toBe(rowBits(allEventRows(plain)));
          }
        },
      ),
      params(500, 0),
    );
  });

  it('events stage output is independent of the batch split, bit for bit', () => {
    fc.assert(
      fc.property(stageStreamArb({ invalid: true }), stageConfigArb, splitArb, (events, cfg, split) => {
        const whole = runStagesCore(newCore, events, [events.length], { events: cfg, windows: null });
        const cut = runStagesCore(newCore, events, batchSizes(events.length, split), { events: cfg, windows: null });
        expect(rowBits(allEventRows(cut))).toBe(rowBits(allEventRows(whole)));
      }),
      params(150, 1),
    );
  });

  it("windows stage = reference on the window reference's windows (per key, in end order), any split, snapshots, flush", () => {
    fc.assert(
      fc.property(
        stageStreamArb({ maxEvents: 100 }),
        configArb('append'),
        stageConfigArb,
        fc.option(stageConfigArb, { nil: null }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(5) }, { weight: 1, arbitrary: fc.constantFrom(3, 4, 6, 7, 8) }),
        splitArb,
        fc.option(fc.nat(), { nil: undefined }),
        (events, windowCfg, cfg, eventsCfg, field, split, at) => {
          const sizes = batchSizes(events.length, split);
          const snapshotAfter = at === undefined ? undefined : at % (sizes.length + 1);
          const run = runStagesCore(newCore, events, sizes, { events: eventsCfg, windowsStage: cfg, windows: windowCfg, windowField: field, snapshotAfter });
          const ref = runReference(windowCfg, events, sizes);
          // The same windows come out of the same calls (values within the window tolerances).
          check(runMismatch(asRunOut(run), ref));

          // The value each window is scored on. Taken from the core's record, whose
          // identity and value were just checked against the reference: the stage
          // is under test here, not the window aggregates, and a z-score over
          // window averages is discontinuous exactly where windows have equal
          // averages (stddev 0 → undefined), which the window tolerance cannot see.
          const id = (w: { key: number; end: number }): string => `${w.key}|${w.end}`;
          const x = new Map<string, number>();
          for (const call of [...run.batches, run.flush])
            call.windows.forEach((w, j) => {
              x.set(id(w), call.windowRaw[j]![field]!);
            });

          // Reference: each key's windows in end order (sortWindows: end, start, key).
          const expected = new Map<string, RefStageRow>();
          if (stageEnabled(cfg)) {
            const stage = new ReferenceStage(cfg);
            for (const w of sortWindows(allWindows(ref))) expected.set(id(w), stage.step(w.key, w.end, x.get(id(w))!));
          }

          const calls = [...run.batches.map((b, i) => ({ b, label: `batch ${i}` })), { b: run.flush, label: 'flush' }];
          for (const { b, label } of calls) {
            expect(b.windowRows.length, `${label}: one windows-stage row per window record`).toBe(stageEnabled(cfg) ? b.windows.length : 0);
            b.windowRows.forEach((r, j) => {
              const w: WindowOut = b.windows[j]!;
              check(
                stageRowMismatch(
                  toStageRow(r),
                  expected.get(id(w))!,
                  `${label} window ${j} (key ${w.key} [${w.start}, ${w.end}) field ${field} = ${x.get(id(w))}; snapshot after ${String(snapshotAfter)})`,
                ),
              );
            });
          }
          // the events stage runs beside it, on its own state
          if (eventsCfg) check(stageRowsMismatch(allEventRows(run).map(toStageRow), referenceEventRows(eventsCfg, events), 'events stage'));
        },
      ),
      params(500, 2),
    );
  });

  it('windows stage: snapshot → restore gives bit-identical output to the uninterrupted run, including the flush', () => {
    fc.assert(
      fc.property(stageStreamArb({ maxEvents: 80 }), configArb('append'), stageConfigArb, splitArb, fc.nat(), (events, windowCfg, cfg, split, at) => {
        const sizes = batchSizes(events.length, split);
        const opts = { events: null, windowsStage: cfg, windows: windowCfg, windowField: 5 };
        const plain = runStagesCore(newCore, events, sizes, opts);
        const resumed = runStagesCore(newCore, events, sizes, { ...opts, snapshotAfter: at % (sizes.length + 1) });
        const rows = (r: StageRun) => [...r.batches, r.flush].map((b) => rowBits(b.windowRows));
        expect(rows(resumed)).toEqual(rows(plain));
      }),
      params(100, 3),
    );
  });

  it('debug and release builds give bit-identical stage output', () => {
    fc.assert(
      fc.property(stageStreamArb({ invalid: true, maxEvents: 80 }), stageConfigArb, stageConfigArb, configArb('append'), (events, cfg, wcfg, windowCfg) => {
        const opts = { events: cfg, windowsStage: wcfg, windows: windowCfg };
        const rel = runStagesCore(() => loadCore('release'), events, [events.length], opts);
        const dbg = runStagesCore(() => loadCore('debug'), events, [events.length], opts);
        const all = (r: StageRun) => [...r.batches, r.flush].map((b) => rowBits(b.events) + '|' + rowBits(b.windowRows));
        expect(all(dbg)).toEqual(all(rel));
      }),
      params(60, 4),
    );
  });
});
