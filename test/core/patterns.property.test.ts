/**
 * Property tests: the wasm sequence-pattern kernel (assembly/patterns.ts)
 * against the brute-force reference (test/reference/sequence.ts), on random
 * streams, patterns and batch splits, and across snapshot → restore.
 *
 * Streams: a few keys (plus ids that straddle the core's 1024-key chunks), a
 * small type alphabet (0…3; patterns use 0…2, so 3 and the ones a pattern
 * does not name are "other" types), rows without a type (-1) and invalid rows (non-finite time,
 * negative key), timestamps mostly moving forward with jumps back
 * (out-of-order) and far forward. Patterns: 1–3 of 2–4 steps, relaxed and
 * strict (strict on step 1 too, which means nothing), within from 0 to
 * unbounded. Seeds are fixed (FC_SEED; EDDY_FC_SEED / EDDY_FC_RUNS override).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import type { WasmCore } from '../../src/core/wasmCore.js';
import {
  STATUS_OK,
  E_PATTERN_COUNT,
  E_PATTERN_MAX_PARTIALS,
  E_PATTERN_INDEX,
  E_PATTERN_STEPS,
  E_PATTERN_WITHIN,
  E_PATTERN_STEP_INDEX,
  E_PATTERN_TYPE,
} from '../../src/core/exports.js';
import {
  configureCorePatterns,
  feedPatternBatch,
  matchText,
  restorePatternSnapshot,
  runSequenceCore,
  runSequenceReference,
  takePatternSnapshot,
  unsoundMatch,
  type MatchOut,
  type PatternDef,
  type SeqEvent,
} from '../reference/sequence.js';
import { FC_SEED, batchSizes, fcRuns, splitArb } from '../support/streams.js';

const newCore = (): WasmCore => loadCore();
const params = (numRuns: number, seedOffset: number): fc.Parameters<unknown> => ({ seed: FC_SEED + 400 + seedOffset, numRuns: fcRuns(numRuns) });

const withinArb = fc.oneof({ weight: 2, arbitrary: fc.constant(Infinity) }, { weight: 5, arbitrary: fc.constantFrom(0, 1, 2, 3, 5, 8, 13, 30, 100) });

const patternArb: fc.Arbitrary<PatternDef> = fc
  .record({
    steps: fc.array(
      fc.record({
        type: fc.integer({ min: 0, max: 2 }),
        strict: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      }),
      { minLength: 2, maxLength: 4 },
    ),
    within: withinArb,
  })
  .map(({ steps, within }) => ({ types: steps.map((s) => s.type), strict: steps.map((s) => s.strict), within }));

const patternsArb = fc.array(patternArb, { minLength: 1, maxLength: 3 });

interface Op {
  dt: number;
  key: number;
  type: number;
  invalid: 0 | 1 | 2 | 3;
}

const opArb = (keys: fc.Arbitrary<number>): fc.Arbitrary<Op> =>
  fc.record({
    dt: fc.oneof(
      { weight: 24, arbitrary: fc.integer({ min: 0, max: 3 }) },
      { weight: 6, arbitrary: fc.integer({ min: -12, max: -1 }) }, // out of order: this event only, the clock stays
      { weight: 1, arbitrary: fc.integer({ min: 4, max: 300 }) }, // far ahead: partials time out
    ),
    key: keys,
    type: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constant(-1) }),
    invalid: fc.oneof({ weight: 40, arbitrary: fc.constant<0>(0) }, { weight: 1, arbitrary: fc.constantFrom<1 | 2 | 3>(1, 2, 3) }),
  });

const defaultKeys = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.constantFrom(1023, 1024, 5000) });

function buildEvents(base: number, ops: readonly Op[]): SeqEvent[] {
  let t = base;
  return ops.map((op) => {
    const ts = op.dt >= 0 ? (t += op.dt) : t + op.dt;
    if (op.invalid === 1) return { ts: NaN, key: op.key, type: op.type };
    if (op.invalid === 2) return { ts: Infinity, key: op.key, type: op.type };
    if (op.invalid === 3) return { ts, key: -1, type: op.type };
    return { ts, key: op.key, type: op.type };
  });
}

const streamArb = (opts: { maxEvents?: number; keys?: fc.Arbitrary<number> } = {}): fc.Arbitrary<SeqEvent[]> =>
  fc
    .record({
      base: fc.constantFrom(0, -50, 1_700_000_000_000),
      ops: fc.array(opArb(opts.keys ?? defaultKeys), { maxLength: opts.maxEvents ?? 80, size: 'max' }),
    })
    .map(({ base, ops }) => buildEvents(base, ops));

/** Matches of a run with rows made global (stream index), for split-independent comparisons. */
function globalMatches(batches: readonly MatchOut[][], sizes: readonly number[]): string {
  let offset = 0;
  return batches
    .map((b, i) => {
      const text = b.map((m) => `@${offset + m.row} k${m.key} p${m.pattern} [${m.ts.join(',')}]`).join(' ');
      offset += sizes[i]!;
      return text;
    })
    .filter((t) => t !== '')
    .join(' ');
}

function firstDifference(core: readonly string[], ref: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(core.length, ref.length); i++) {
    if (core[i] !== ref[i]) return `batch ${i}:\n  core ${core[i]}\n  ref  ${ref[i]}`;
  }
  return undefined;
}

describe('sequence patterns: core vs reference (properties)', { timeout: 600_000 }, () => {
  it('equals the reference per batch, for any batch split; nothing is dropped', () => {
    // What the generated cases exercised (matches of strict patterns, with
    // out-of-order times, under a time bound, of several patterns in one run),
    // so that a change to the generators cannot quietly make the property vacuous.
    const seen = { runsWithMatches: 0, strict: 0, outOfOrder: 0, bounded: 0, multiPattern: 0 };
    fc.assert(
      fc.property(patternsArb, streamArb(), splitArb, (patterns, events, split) => {
        const sizes = batchSizes(events.length, split);
        const { batches, core } = runSequenceCore(newCore, patterns, events, sizes);
        expect(firstDifference(matchText(batches), matchText(runSequenceReference(patterns, events, sizes)))).toBeUndefined();
        expect(core.exports.patterns_dropped_partials()).toBe(0);
        expect(core.exports.patterns_matches_total()).toBe(batches.reduce((n, b) => n + b.length, 0));
        const matches = batches.flat();
        if (matches.length > 0) seen.runsWithMatches++;

        if (new Set(matches.map((m) => m.pattern)).size > 1) seen.multiPattern++;
        for (const m of matches) {
          const p = patterns[m.pattern]!;
          if (p.strict.slice(1).some(Boolean)) seen.strict++;
          if (m.ts.some((t, i) => i > 0 && t < m.ts[i - 1]!)) seen.outOfOrder++;
          if (p.within !== Infinity && m.lastTs > m.firstTs) seen.bounded++;
        }
      }),
      params(1000, 0),
    );
    const runs = fcRuns(1000);
    expect(seen.runsWithMatches).toBeGreaterThan(runs * 0.35);
    expect(Math.min(seen.strict, seen.outOfOrder, seen.bounded, seen.multiPattern)).toBeGreaterThan(runs * 0.1);
  });

  it('any batch split gives the same matches as one batch (rows as stream positions)', () => {
    fc.assert(
      fc.property(patternsArb, streamArb(), splitArb, (patterns, events, split) => {
        const sizes = batchSizes(events.length, split);
        const whole = runSequenceCore(newCore, patterns, events).batches;
        const cut = runSequenceCore(newCore, patterns, events, sizes).batches;
        expect(globalMatches(cut, sizes)).toBe(globalMatches(whole, [events.length]));
      }),
      params(200, 1),
    );
  });

  it('snapshot → restore into a fresh core at a random batch boundary continues identically', () => {
    fc.assert(
      fc.property(patternsArb, streamArb(), splitArb, fc.nat(), (patterns, events, split, at) => {
        const sizes = batchSizes(events.length, split);
        const snapshotAfter = at % (sizes.length + 1);
        const plain = runSequenceCore(newCore, patterns, events, sizes);
        const resumed = runSequenceCore(newCore, patterns, events, sizes, { snapshotAfter });
        expect(matchText(resumed.batches)).toEqual(matchText(plain.batches));
        expect(resumed.core.exports.patterns_active_partials()).toBe(plain.core.exports.patterns_active_partials());
        expect(resumed.core.exports.patterns_matches_total()).toBe(plain.core.exports.patterns_matches_total());
        expect(firstDifference(matchText(resumed.batches), matchText(runSequenceReference(patterns, events, sizes)))).toBeUndefined();
      }),
      params(400, 2),
    );
  });

  it('snapshot bytes are deterministic: a restored core snapshots to the same bytes', () => {
    fc.assert(
      fc.property(patternsArb, streamArb(), (patterns, events) => {
        const { core } = runSequenceCore(newCore, patterns, events);
        const bytes = takePatternSnapshot(core);
        const fresh = newCore();
        restorePatternSnapshot(fresh, bytes);
        expect(Buffer.from(takePatternSnapshot(fresh)).equals(Buffer.from(bytes))).toBe(true);
      }),
      params(100, 3),
    );
  });

  it('without a time bound a key holds at most one partial match per step', () => {
    const unbounded = fc.array(
      patternArb.map((p) => ({ ...p, within: Infinity })),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(unbounded, streamArb({ maxEvents: 120 }), (patterns, events) => {
        const keys = new Set(events.filter((e) => e.key >= 0).map((e) => e.key)).size;
        const bound = keys * patterns.reduce((n, p) => n + p.types.length - 1, 0);
        const { core } = runSequenceCore(newCore, patterns, events, batchSizes(events.length, { kind: 'singles' }), {
          afterBatch: (c) => expect(c.exports.patterns_active_partials()).toBeLessThanOrEqual(bound),
        });
        expect(core.exports.patterns_dropped_partials()).toBe(0);
      }),
      params(100, 4),
    );
  });

  it('with a tiny maxPartials: memory stays bounded, overflow is counted, every match is still a real, non-overlapping match', () => {
    let overflowed = 0;
    fc.assert(
      fc.property(
        patternsArb,
        streamArb({ maxEvents: 120, keys: fc.integer({ min: 0, max: 1 }) }),
        splitArb,
        fc.integer({ min: 1, max: 3 }),
        (patterns, events, split, maxPartials) => {
          const sizes = batchSizes(events.length, split);
          const bound = 2 * patterns.length * maxPartials;
          const { batches, core } = runSequenceCore(newCore, patterns, events, sizes, {
            maxPartials,
            afterBatch: (c) => expect(c.exports.patterns_active_partials()).toBeLessThanOrEqual(bound),
          });
          expect(unsoundMatch(patterns, events, sizes, batches)).toBeUndefined();
          if (core.exports.patterns_dropped_partials() > 0) overflowed++;
        },
      ),
      params(300, 5),
    );
    expect(overflowed).toBeGreaterThan(0);
  });

  it('many keys and long batches (> 1024 matches per call) equal the reference, with a snapshot midway', () => {
    const patterns: PatternDef[] = [
      { types: [0, 1, 2], strict: [false, false, false], within: 40 },
      { types: [1, 1], strict: [false, true], within: Infinity },
      { types: [3, 0, 3, 2], strict: [false, false, true, false], within: 15 },
    ];
    let a = 99;
    const rnd = (): number => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296;
    let t = 1_700_000_000_000;
    const events: SeqEvent[] = Array.from({ length: 20_000 }, () => {
      t += rnd() < 0.02 ? 1 : 0;
      const ts = rnd() < 0.1 ? t - Math.floor(rnd() * 20) : t;
      return { ts, key: Math.floor(rnd() * 150) * 7, type: rnd() < 0.03 ? -1 : Math.floor(rnd() * 5) };
    });
    const sizes = batchSizes(events.length, { kind: 'cuts', cuts: [5, 15000, 15001, 18000] });
    const ref = runSequenceReference(patterns, events, sizes);
    const { batches, core } = runSequenceCore(newCore, patterns, events, sizes, { snapshotAfter: 3 });
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1024);
    expect(firstDifference(matchText(batches), matchText(ref))).toBeUndefined();
    expect(core.exports.patterns_dropped_partials()).toBe(0);
  });

  it('debug and release builds produce identical matches', () => {
    fc.assert(
      fc.property(patternsArb, streamArb(), splitArb, (patterns, events, split) => {
        const sizes = batchSizes(events.length, split);
        const rel = runSequenceCore(newCore, patterns, events, sizes).batches;
        const dbg = runSequenceCore(() => loadCore('debug'), patterns, events, sizes).batches;
        expect(matchText(dbg)).toEqual(matchText(rel));
      }),
      params(60, 6),
    );
  });
});

describe('sequence patterns: core configuration and restore', () => {
  const AB: PatternDef = { types: [0, 1], strict: [false, false], within: Infinity };

  it('rejects bad configurations with codes and keeps working', () => {
    const ex = newCore().exports;
    expect(ex.patterns_define(-1, 64)).toBe(E_PATTERN_COUNT);
    expect(ex.patterns_define(1025, 64)).toBe(E_PATTERN_COUNT);
    expect(ex.patterns_define(1, 0)).toBe(E_PATTERN_MAX_PARTIALS);
    expect(ex.patterns_define(1, 65537)).toBe(E_PATTERN_MAX_PARTIALS);
    expect(ex.patterns_define(2, 64)).toBe(STATUS_OK);
    expect(ex.patterns_set(2, 2, 5)).toBe(E_PATTERN_INDEX);
    expect(ex.patterns_set(0, 1, 5)).toBe(E_PATTERN_STEPS);
    expect(ex.patterns_set(0, 33, 5)).toBe(E_PATTERN_STEPS);
    expect(ex.patterns_set(0, 2, -1)).toBe(E_PATTERN_WITHIN);
    expect(ex.patterns_set(0, 2, NaN)).toBe(E_PATTERN_WITHIN);
    expect(ex.patterns_set(0, 2, Infinity)).toBe(STATUS_OK);
    expect(ex.patterns_set_step(0, 2, 0, 0)).toBe(E_PATTERN_STEP_INDEX);
    expect(ex.patterns_set_step(0, 0, -1, 0)).toBe(E_PATTERN_TYPE);
    expect(ex.patterns_set_step(1, 0, 0, 0)).toBe(E_PATTERN_STEP_INDEX); // pattern 1 not set yet
  });

  it('a pattern whose steps are not all set matches nothing; an unset pattern is skipped', () => {
    const core = newCore();
    const ex = core.exports;
    ex.patterns_define(2, 64);
    ex.patterns_set(0, 2, Infinity);
    ex.patterns_set_step(0, 0, 0, 0); // step 1 unset
    const out = feedPatternBatch(
      core,
      [0, 1, 0, 1].map((type, i) => ({ ts: i, key: 0, type })),
    );
    expect(out).toEqual([]);
  });

  it('no patterns: patterns_process outputs nothing and keeps no state', () => {
    const core = newCore();
    expect(feedPatternBatch(core, [{ ts: 1, key: 0, type: 0 }])).toEqual([]);
    expect(core.exports.patterns_active_partials()).toBe(0);
  });

  it('outputs reset at each call; partials survive across calls; patterns_reset empties them', () => {
    const core = newCore();
    configureCorePatterns(core, [AB]);
    expect(feedPatternBatch(core, [{ ts: 1, key: 7, type: 0 }])).toEqual([]);
    expect(core.exports.patterns_active_partials()).toBe(1);
    expect(feedPatternBatch(core, [{ ts: 2, key: 7, type: 1 }]).map((m) => m.ts)).toEqual([[1, 2]]);
    expect(feedPatternBatch(core, [{ ts: 3, key: 7, type: 1 }])).toEqual([]);
    feedPatternBatch(core, [{ ts: 4, key: 7, type: 0 }]);
    core.exports.patterns_reset();
    expect(core.exports.patterns_active_partials()).toBe(0);
    expect(core.exports.patterns_matches_total()).toBe(0);
    expect(feedPatternBatch(core, [{ ts: 5, key: 7, type: 1 }])).toEqual([]);
  });

  it('a truncated or corrupt snapshot is refused: state empty, the previous patterns kept', () => {
    const src = newCore();
    configureCorePatterns(src, [{ types: [0, 1, 2], strict: [false, false, false], within: 10 }]);
    feedPatternBatch(src, [
      { ts: 1, key: 3, type: 0 },
      { ts: 2, key: 3, type: 1 },
    ]);
    const bytes = takePatternSnapshot(src);
    const dst = newCore();
    configureCorePatterns(dst, [AB]);
    feedPatternBatch(dst, [{ ts: 1, key: 0, type: 0 }]);
    const corrupt = bytes.slice();
    // key 3's record is the last, its only partial the last bytes of the snapshot: its state → out of range
    const view = new DataView(corrupt.buffer);
    const entryAt = corrupt.length - (8 + 16 * 2);
    view.setInt32(entryAt, 7, true);
    for (const bad of [bytes.slice(0, bytes.length - 1), corrupt, new Uint8Array([1, 2, 3])]) {
      expect(() => restorePatternSnapshot(dst, bad)).toThrow();
      expect(dst.exports.patterns_active_partials()).toBe(0);
      // still the A -> B pattern of before
      expect(
        feedPatternBatch(dst, [
          { ts: 1, key: 0, type: 0 },
          { ts: 2, key: 0, type: 1 },
        ]).map((m) => m.ts),
      ).toEqual([[1, 2]]);
    }
    restorePatternSnapshot(dst, bytes);
    expect(feedPatternBatch(dst, [{ ts: 3, key: 3, type: 2 }]).map((m) => m.ts)).toEqual([[1, 2, 3]]);
  });
});
