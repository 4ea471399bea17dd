/**
 * Snapshots of changes (incremental checkpoints at the core): a core that
 * tracks its changed keys and takes a snapshot of changes after some
 * batches gives, merged into the base it started from, byte for byte the
 * full snapshot an identical core takes at the same point — for random
 * streams with windows (either mode), both stages (z-score, Holt, the
 * detector) and sequence patterns, any batch split and any choice of
 * checkpoint points. A restored merged snapshot is canonical (taken again,
 * the same bytes) and the core goes on exactly as the uninterrupted one. A
 * change set holds only the keys touched since the previous snapshot, and a
 * key left with no state is deleted, not kept.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import type { WasmCore } from '../../src/core/wasmCore.js';
import { mergeSnapshots, splitSnapshot } from '../../src/core/snapshotMerge.js';
import { configureCore, splitBatches, type StreamEvent } from '../reference/windows.js';
import { configureStage, stageExports } from '../reference/stages.js';
import { configureCorePatterns } from '../reference/sequence.js';
import { FC_SEED, batchSizes, configArb, fcRuns, splitArb } from '../support/streams.js';
import { stageConfigArb, stageStreamArb } from '../support/stageStreams.js';
import type { StageConfig } from '../reference/stages.js';
import type { WindowConfig } from '../reference/windows.js';

interface Setup {
  windows: WindowConfig | null;
  events: StageConfig;
  windowsStage: StageConfig;
  detector: boolean;
  patterns: boolean;
}

function configure(core: WasmCore, s: Setup): void {
  if (s.windows) configureCore(core, s.windows);
  else stageExports(core).window_enable(0);
  configureStage(core, 0, s.events);
  configureStage(core, 1, s.windowsStage);
  if (s.detector && core.exports.stage_detector(0, 1) !== 0) throw new Error('stage_detector rejected');
  if (s.patterns)
    configureCorePatterns(core, [
      { types: [0, 1], strict: [false, false], within: 60_000 },
      { types: [1, 2, 0], strict: [false, true, false], within: Infinity },
    ]);
}

/** One batch into the core, with a type per row (the key's value decides it, so patterns see a stream they can match). */
function feed(core: WasmCore, batch: readonly StreamEvent[]): void {
  const cols = core.reserve(batch.length);
  batch.forEach((e, i) => {
    cols.ts[i] = e.ts;
    cols.key[i] = e.key;
    cols.value[i] = e.value;
    cols.type[i] = Number.isFinite(e.value) ? (Math.abs(Math.trunc(e.value)) % 4) - 1 : -1;
  });
  core.process(batch.length);
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  windows: fc.option(configArb(), { nil: null }),
  events: stageConfigArb,
  windowsStage: stageConfigArb,
  detector: fc.boolean(),
  patterns: fc.boolean(),
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('snapshots of changes', { timeout: 600_000 }, () => {
  it('base + changes merge to the full snapshot, byte for byte; restored, the core goes on the same (property)', () => {
    fc.assert(
      fc.property(
        stageStreamArb({ invalid: true }),
        setupArb,
        splitArb,
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.boolean(),
        (events, setup, split, points, flush) => {
          const sizes = batchSizes(events.length, split);
          const tracked = loadCore();
          const plain = loadCore();
          configure(tracked, setup);
          configure(plain, setup);
          tracked.trackChanges(true);
          const base = tracked.snapshot();
          const changes: Uint8Array[] = [];
          const batches = splitBatches(events, sizes);
          batches.forEach((b, i) => {
            feed(tracked, b);
            feed(plain, b);
            if (points[i] === true) {
              changes.push(tracked.snapshot(true));
              expect(tracked.changedKeys(), 'a snapshot starts the changes over').toBe(0);
              const merged = mergeSnapshots(base, changes);
              expect(hex(merged), `after batch ${i}`).toBe(hex(plain.snapshot()));
            }
          });
          if (flush) {
            tracked.flush();
            plain.flush();
          }
          // the changes since the last point (maybe none)
          changes.push(tracked.snapshot(true));
          const merged = mergeSnapshots(base, changes);
          const full = plain.snapshot();
          expect(hex(merged), 'at the end').toBe(hex(full));
          // canonical: restored and taken again, the same bytes; and it goes on as the uninterrupted core
          const restored = loadCore();
          restored.restore(merged);
          expect(hex(restored.snapshot())).toBe(hex(full));
          const more = events.slice(0, 20).map((e) => ({ ...e, ts: Number.isFinite(e.ts) ? e.ts + 3_600_000 : e.ts }));
          feed(restored, more);
          feed(plain, more);
          expect(hex(restored.snapshot())).toBe(hex(plain.snapshot()));
        },
      ),
      { seed: FC_SEED + 700, numRuns: fcRuns(150) },
    );
  });

  it('holds only the keys touched since the previous snapshot, and deletes a key whose windows all closed', () => {
    const core = loadCore();
    configureCore(core, { size: 60_000, slide: 60_000, delay: 0, lateness: 0, mode: 'append' });
    core.trackChanges(true);
    const rows = (keys: number[], ts: number): StreamEvent[] => keys.map((key) => ({ ts, key, value: key }));
    feed(core, rows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1_000));
    expect(core.changedKeys()).toBe(10);
    const first = splitSnapshot(core.snapshot(true));
    expect([...first.records.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // one key more in the same window: only it changed
    feed(core, rows([4], 2_000));
    const second = splitSnapshot(core.snapshot(true));
    expect([...second.records.keys()]).toEqual([4]);
    // key 4 at the next minute closes the first window of all ten: their panes empty, the keys other than 4 hold nothing
    feed(core, rows([4], 61_000));
    const third = splitSnapshot(core.snapshot(true));
    expect([...third.records.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [key, body] of third.records) expect(body.length > 0, `key ${key}`).toBe(key === 4);
    // nothing changed: an empty change set
    expect(splitSnapshot(core.snapshot(true)).records.size).toBe(0);
  });

  it('refuses to restore a snapshot of changes on its own, and malformed merges', () => {
    const core = loadCore();
    configureCore(core, { size: 60_000, slide: 60_000, delay: 0, lateness: 0, mode: 'append' });
    core.trackChanges(true);
    const base = core.snapshot();
    feed(core, [{ ts: 1, key: 3, value: 1 }]);
    const changes = core.snapshot(true);
    expect(() => loadCore().restore(changes)).toThrow();
    expect(() => mergeSnapshots(changes, [])).toThrow(/base of a merge must be a full/);
    expect(() => mergeSnapshots(base, [base])).toThrow(/only snapshots of changes/);
    expect(() => mergeSnapshots(base, [changes.subarray(0, changes.length - 1)])).toThrow(/length|truncated/);
  });
});
