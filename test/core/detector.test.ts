/**
 * The default anomaly score in the wasm core (assembly/detector.ts) equals its
 * TypeScript reference (test/reference/detector.ts, the ensemble): on real
 * NAB series, on seeded random streams with several keys, irregular and
 * missing timestamps and constant stretches, for any batch split and across
 * snapshot/restore into a fresh core. Plus hand-computed values of its
 * pieces, its warm-up, what it flags after warm-up, and its state size.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { S_SCORE } from '../../src/core/exports.js';
import type { WasmCore } from '../../src/core/wasmCore.js';
import { EnsembleDetector, chiSquareTail } from '../reference/detector.js';
import { Likelihood, logScore, normalTail, LEARNING_PERIOD, ESTIMATION_SAMPLES } from '../reference/likelihood.js';
import { DAY_MS, ForecastError } from '../reference/forecastError.js';
import { ENTROPY_CHI2, ENTROPY_WINDOW, RelativeEntropy, relativeEntropy } from '../reference/relativeEntropy.js';
import { loadNab } from '../../bench/nab/data.js';
import { mulberry32, normal } from '../support/prng.js';

interface Row {
  ts: number;
  key: number;
  value: number;
}

const FIVE_MIN = 300_000;
const T0 = Date.UTC(2024, 0, 1);

function detectorCore(): WasmCore {
  const core = loadCore();
  core.enableWindows(false);
  core.configureStage(0, { detector: true });
  return core;
}

/** Scores rows through the core in batches of the given sizes, optionally restoring into a fresh core after batch `restoreAfter`. */
function coreScores(rows: Row[], sizes: number[] = [rows.length], restoreAfter = -1): number[] {
  let core = detectorCore();
  const out: number[] = [];
  let at = 0;
  sizes.forEach((n, b) => {
    const cols = core.reserve(Math.max(n, 1));
    for (let i = 0; i < n; i++) {
      const r = rows[at + i]!;
      cols.ts[i] = r.ts;
      cols.key[i] = r.key;
      cols.value[i] = r.value;
    }
    core.process(n);
    const s = core.stageRecords(0);
    for (let i = 0; i < n; i++) out.push(s.data[s.offset + i * s.width + S_SCORE]!);
    at += n;
    if (b === restoreAfter) {
      const bytes = core.snapshot();
      core = loadCore(); // a fresh core: everything, detector settings included, comes from the snapshot
      core.restore(bytes);
    }
  });
  return out;
}

function referenceScores(rows: Row[]): number[] {
  const detectors = new Map<number, EnsembleDetector>();
  return rows.map((r) => {
    let d = detectors.get(r.key);
    if (!d) detectors.set(r.key, (d = new EnsembleDetector()));
    return d.update(r.ts, r.value);
  });
}

/** Max |core − reference|: exp/log may differ in the last bit between the engines' libm (seen: ≤ 6e-15); nothing more. */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `row ${at}: core ${actual[at]} vs reference ${expected[at]}`).toBeLessThanOrEqual(1e-9);
}

/** A seeded synthetic stream: K keys, 5-minute rows over ~10 days, daily cycle, noise, a few spikes and a level shift. */
function synthetic(seed: number, keys: number, rowsPerKey: number): Row[] {
  const noise = normal(seed);
  const rows: Row[] = [];
  for (let i = 0; i < rowsPerKey; i++) {
    for (let k = 0; k < keys; k++) {
      const t = T0 + i * FIVE_MIN + k * 1000;
      let v = 100 + 20 * Math.sin((2 * Math.PI * (t % DAY_MS)) / DAY_MS) + 3 * noise();
      if ((i + 97 * k) % 701 === 0) v += 60; // spikes
      if (i > rowsPerKey * 0.7 && k % 2 === 0) v += 40; // a level shift in half the keys
      rows.push({ ts: t, key: k, value: v });
    }
  }
  return rows;
}

/**
 * A seeded messy stream: several keys with their own row spacing (1 min to
 * 2 h), jittered and irregular steps, gaps of hours to days (missing rows),
 * repeated timestamps, constant stretches, level steps and spikes, values of
 * very different scales; rows of all keys interleaved in time order.
 */
function messy(seed: number, keys: number, rowsPerKey: number): Row[] {
  const u = mulberry32(seed);
  const n = normal(seed + 1);
  const rows: Row[] = [];
  for (let k = 0; k < keys; k++) {
    const step = [60_000, FIVE_MIN, 900_000, 3_600_000, 7_200_000][k % 5]!;
    const scale = [1, 1e-3, 1e4, 50, 0.2][k % 5]!;
    let t = T0 - 3 * DAY_MS + Math.floor(u() * DAY_MS);
    let level = 10;
    let constant = 0;
    for (let i = 0; i < rowsPerKey; i++) {
      const r = u();
      if (r < 0.01)
        t += Math.floor(u() * 3 * DAY_MS); // a gap
      else if (r < 0.03)
        t += 0; // a repeated timestamp
      else t += Math.max(1, Math.round(step * (0.5 + u()))); // jitter
      if (u() < 0.002) level += (u() - 0.5) * 20;
      if (constant === 0 && u() < 0.003) constant = 50 + Math.floor(u() * 300);
      let v: number;
      if (constant > 0) {
        constant--;
        v = level;
      } else v = level + 2 * Math.sin((2 * Math.PI * (t % DAY_MS)) / DAY_MS) + n();
      if (u() < 0.003) v += 15 * (u() < 0.5 ? -1 : 1);
      rows.push({ ts: t, key: k, value: v * scale });
    }
  }
  return rows.sort((a, b) => a.ts - b.ts || a.key - b.key);
}

function cutsToSizes(total: number, cuts: number[]): number[] {
  const sizes: number[] = [];
  let left = total;
  for (const c of cuts) {
    if (left === 0) break;
    const n = Math.min(c, left);
    sizes.push(n);
    left -= n;
  }
  if (left > 0) sizes.push(left);
  return sizes;
}

/** One key, 5-minute rows, values from f. */
function series(n: number, f: (i: number) => number, step = FIVE_MIN): Row[] {
  return Array.from({ length: n }, (_, i) => ({ ts: T0 + i * step, key: 0, value: f(i) }));
}

describe('default anomaly score (wasm) vs reference', () => {
  it('matches the reference row by row on real NAB series', () => {
    const files = loadNab().filter((f) => /nyc_taxi|machine_temperature|art_daily_jumpsup|exchange-2_cpc|art_flatline/.test(f.name));
    expect(files).toHaveLength(5);
    for (const f of files) {
      const rows = Array.from(f.values, (value, i) => ({ ts: f.times[i]!, key: 0, value }));
      const scores = coreScores(rows);
      const expected = referenceScores(rows);
      expectClose(scores, expected);
      expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      if (!f.name.includes('flatline'))
        expect(
          expected.some((s) => s >= 0.5),
          f.name,
        ).toBe(true);
    }
  }, 60_000);

  it('matches for several keys, any batch split, across snapshot/restore', () => {
    const rows = synthetic(11, 3, 3200);
    const expected = referenceScores(rows);
    expect(expected.some((s) => s >= 0.5)).toBe(true); // the stream exercises alarms
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 8 }), fc.nat(), (cuts, restorePick) => {
        const sizes = cutsToSizes(rows.length, cuts);
        expectClose(coreScores(rows, sizes, restorePick % sizes.length), expected);
      }),
      { seed: 20261125, numRuns: 6 },
    );
  }, 120_000);

  it('matches on seeded random streams: irregular and missing timestamps, repeated times, constant stretches, many scales', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.integer({ min: 1, max: 6000 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (seed, cuts, restorePick) => {
          const rows = messy(seed, 5, 2500);
          const expected = referenceScores(rows);
          const sizes = cutsToSizes(rows.length, cuts);
          expectClose(coreScores(rows, sizes, restorePick % sizes.length), expected);
        },
      ),
      { seed: 20261203, numRuns: 8 },
    );
  }, 120_000);

  it('matches on streams starting at epoch 0 and before it (day/week tags near 0 and negative)', () => {
    const noise = normal(5);
    const rows: Row[] = [];
    for (let i = 0; i < 6000; i++) rows.push({ ts: -2 * DAY_MS + i * 3 * 60_000, key: i % 2, value: 5 + Math.sin(i / 40) + noise() });
    const expected = referenceScores(rows);
    expect(expected.some((s) => s > 0)).toBe(true);
    expectClose(coreScores(rows, [1234, rows.length - 1234], 0), expected);
  }, 60_000);
});

describe('pieces of the detector, by hand', () => {
  it('χ² upper tail with 2k degrees of freedom: k = 1, 2, 3', () => {
    const x = 2; // x/2 = 1
    expect(chiSquareTail(x, 2)).toBeCloseTo(Math.exp(-1), 15);
    expect(chiSquareTail(x, 4)).toBeCloseTo(2 * Math.exp(-1), 15);
    expect(chiSquareTail(x, 6)).toBeCloseTo(2.5 * Math.exp(-1), 15);
    expect(chiSquareTail(0, 6)).toBe(1);
    // Fisher with one component is that component: P(χ²₂ > −2 ln p) = p
    for (const p of [0.5, 1e-5, 1e-8]) expect(chiSquareTail(-2 * Math.log(p), 2)).toBeCloseTo(p, 12);
    // two calm components (p = 0.5 each): X = 4 ln 2, tail e^{−2 ln 2}(1 + 2 ln 2) = (1 + 2 ln 2)/4
    expect(chiSquareTail(4 * Math.log(2), 4)).toBeCloseTo((1 + 2 * Math.log(2)) / 4, 14);
  });

  it("the kernel's tabulated normal tail equals the reference's series to 1e-12 (relative) and known values", () => {
    const core = loadCore();
    const q = (z: number) => core.exports.normal_tail(z);
    expect(q(0)).toBe(0.5);
    expect(q(1.959963984540054)).toBeCloseTo(0.025, 15);
    expect(q(3) / 0.0013498980316300946 - 1).toBeLessThan(1e-13);
    expect(Math.abs(q(6) / 9.865876450376946e-10 - 1)).toBeLessThan(1e-12);
    expect(q(-1) + q(1)).toBeCloseTo(1, 15);
    let worst = 0;
    const check = (z: number) => {
      const want = normalTail(z);
      const e = want === 0 ? q(z) : Math.abs(q(z) - want) / want;
      if (!(e <= worst)) worst = e; // NaN stays
    };
    for (let z = -9; z <= 40; z += 0.0007) check(z); // every grid cell of the table, both sides of 8
    const rnd = mulberry32(11);
    for (let i = 0; i < 20_000; i++) check(rnd() * 9);
    expect(worst).toBeLessThan(1e-12);
    expect(q(Infinity)).toBe(0);
  });

  it('likelihood, by hand: after learning on zeros, one surprise in ten is z = (0.1 − 0.03)/√0.0003 (the floors), L = 1 − Q(4.0415)', () => {
    const l = new Likelihood(LEARNING_PERIOD, ESTIMATION_SAMPLES);
    let pushed = 0;
    while (!l.ready) {
      expect(l.push(0)).toBe(0.5);
      pushed++;
    }
    expect(pushed).toBe(LEARNING_PERIOD + ESTIMATION_SAMPLES);
    // mean 0 and variance 0 are floored to 0.03 and 0.0003; the 10-row average is 1/10
    const tail = 2.6560640797058617e-5; // ½·erfc(4.041451884327381/√2), Python's math.erfc
    expect(1 - l.push(1)).toBeCloseTo(tail, 12);
  });

  it('forecast-error surprise, by hand: alternating 0/1 gives |e| = 1 = σ̂, so a jump of 3.5 is flagged and 2.9 is not', () => {
    const f = new ForecastError('last');
    const t = (i: number) => T0 + i * 60_000; // one hour bucket: its σ̂ takes over after 10 visits
    const raws: number[] = [];
    for (let i = 0; i < 21; i++) raws.push(f.raw(t(i), i % 2));
    // no forecast for row 0, no opinion for the next 10 forecasts, then |e| = 1 < 3·1
    expect(raws.slice(0, 11).every(Number.isNaN)).toBe(true);
    expect(raws.slice(11)).toEqual(Array(10).fill(0));
    const g = new ForecastError('last');
    for (let i = 0; i < 21; i++) g.raw(t(i), i % 2);
    expect(f.raw(t(21), 0 + 3.5)).toBe(1); // last value 0 (row 20): e = 3.5 > 3
    expect(g.raw(t(21), 0 + 2.9)).toBe(0); // e = 2.9 ≤ 3
  });

  it('log score: nupic red level L = 0.99999 is 0.5, L = 0.5 is ln 2 / ln 1e10', () => {
    expect(logScore(0.99999)).toBeCloseTo(0.5, 6); // ln(1e-5 + 1e-10)/ln(1e-10) = 0.4999996
    expect(logScore(0.5)).toBeCloseTo(Math.log(2) / Math.log(1e10), 8);
  });

  it('relative entropy of given histograms, and the match test on a one-bin window', () => {
    expect(relativeEntropy([26, 26, 0, 0, 0], 52, [0.25, 0.25, 0.25, 0.25, 0])).toBeCloseTo(Math.log(2), 15);
    expect(relativeEntropy([1, 1, 1, 1, 1], 5, [0.2, 0.2, 0.2, 0.2, 0.2])).toBe(0);
    expect(relativeEntropy([52, 0, 0, 0, 0], 52, [0.5, 0.5, 0, 0, 0])).toBeCloseTo(Math.log(2), 15);
    // A window with every value in one bin against its own stored (add-½ smoothed) hypothesis:
    // D = ln(54.5/52.5) ≈ 0.0374, 2·52·D ≈ 3.89 < 13.28 → matched.
    const d = relativeEntropy([52, 0, 0, 0, 0], 52, [52.5 / 54.5, 0.5 / 54.5, 0.5 / 54.5, 0.5 / 54.5, 0.5 / 54.5]);
    expect(d).toBeCloseTo(Math.log(54.5 / 52.5), 12);
    expect(2 * ENTROPY_WINDOW * d).toBeLessThan(ENTROPY_CHI2);
    // values 0 and 1 alternate, then constant 0 — range [0, 1], bins 0 and 4
    const r = new RelativeEntropy();
    const raws: number[] = [];
    for (let i = 0; i < 60; i++) raws.push(r.raw(i < 2 ? i : 0, 0, 1));
    // NaN until the ring of 52 is full; the first full window is new (1); the
    // next windows (still 1 value in bin 4) match it: raw 1 while it has been
    // matched fewer than c_th = 4 times, then 0.
    expect(raws.slice(0, 51).every(Number.isNaN)).toBe(true);
    expect(raws.slice(51, 56)).toEqual([1, 1, 1, 1, 0]);
  });

  it('likelihood: reports after 288 learning rows (or one day of event time) + 100 estimation rows', () => {
    const count = (step: number) => {
      const l = new Likelihood(LEARNING_PERIOD, ESTIMATION_SAMPLES, DAY_MS);
      let i = 0;
      while (!l.ready) l.push(0, T0 + step * i++);
      return i;
    };
    expect(count(FIVE_MIN)).toBe(388); // 288 rows = one day
    expect(count(60_000)).toBe(388); // 288 rows come first
    expect(count(3_600_000)).toBe(124); // a day = 24 rows, + 100
    const l = new Likelihood(LEARNING_PERIOD, ESTIMATION_SAMPLES, DAY_MS);
    for (let i = 0; i < 387; i++) expect(l.push(i % 7 === 0 ? 1 : 0, T0 + i * FIVE_MIN)).toBe(0.5);
  });
});

describe('warm-up', () => {
  const noiseRows = (seed: number, n: number, step: number) => {
    const g = normal(seed);
    return series(n, () => 10 + g(), step);
  };

  it('is exactly 0 until the first likelihood reports with a day behind it: 398 rows at 5-minute spacing, 134 at hourly, 1,451 at 1-minute, on stationary noise (wasm and reference, 6 seeds)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      // 1-minute rows: the likelihood reports after 398 rows, but a day of event time since its first row (index 11) ends at index 1,451
      for (const [step, warm] of [
        [FIVE_MIN, 398],
        [3_600_000, 134],
        [60_000, 1451],
      ] as const) {
        const rows = noiseRows(seed, warm + 300, step);
        const s = coreScores(rows);
        expectClose(s, referenceScores(rows));
        // first opinion at row 11 (10 forecasts of the last-value component), then the likelihood's 388 (or 124) rows − 1
        expect(
          s.slice(0, warm).every((x) => x === 0),
          `seed ${seed} step ${step}`,
        ).toBe(true);
        expect(s[warm]!, `seed ${seed} step ${step}: first non-zero at ${s.findIndex((x) => x !== 0)}`).toBeGreaterThan(0);
      }
    }
  });

  it('no alarm during warm-up even with spikes and steps in it', () => {
    const g = normal(9);
    const rows = series(398, (i) => 10 + g() + (i % 50 === 49 ? 30 : 0) + (i > 200 ? 20 : 0));
    expect(coreScores(rows).every((x) => x === 0)).toBe(true);
  });

  it('the key gate is per key: a new key warms up on its own', () => {
    const g = normal(3);
    const rows: Row[] = [];
    for (let i = 0; i < 900; i++) rows.push({ ts: T0 + i * FIVE_MIN, key: 0, value: 10 + g() });
    for (let i = 0; i < 500; i++) rows.push({ ts: T0 + (900 + i) * FIVE_MIN, key: 1, value: 10 + g() });
    const s = coreScores(rows);
    expect(s.slice(900, 900 + 398).every((x) => x === 0)).toBe(true);
    expect(s[900 + 398]!).toBeGreaterThan(0);
  });
});

describe('after warm-up, changes are flagged (score ≥ 0.5)', () => {
  // bench/nab/prototypes/sanity.ts measured over 20 seeds (noise σ = 1, daily sine of amplitude 3,
  // change at row 3000): step +5σ ≤ 1 row, spike +10σ 0 rows, variance ×3 ≤ 20 rows, daily pattern
  // dropped ≤ 85 rows. Allowed here, with margin: 5, 2, 60, 200 rows.
  const CHANGE = 3000;
  const N = 3600;
  const kinds: [string, (i: number, e: number, s: number) => number, number][] = [
    ['step +5σ', (i, e, s) => 10 + s + e + (i >= CHANGE ? 5 : 0), 5],
    ['spike +10σ', (i, e, s) => 10 + s + e + (i === CHANGE ? 10 : 0), 2],
    ['variance ×3', (i, e, s) => 10 + s + (i >= CHANGE ? 3 : 1) * e, 60],
    ['daily pattern dropped', (i, e, s) => 10 + (i >= CHANGE ? 0 : s) + e, 200],
  ];
  for (const [name, f, maxDelay] of kinds) {
    it(`${name}: within ${maxDelay} rows (5 seeds); the same stream without the change is not flagged there`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const mk = (changed: boolean) => {
          const g = normal(100 * seed + name.length);
          return series(N, (i) => {
            const e = g();
            const s = 3 * Math.sin((2 * Math.PI * i) / 288);
            return changed ? f(i, e, s) : 10 + s + e;
          });
        };
        const s = coreScores(mk(true));
        const delay = s.slice(CHANGE).findIndex((x) => x >= 0.5);
        expect(delay, `${name} seed ${seed}`).toBeGreaterThanOrEqual(0);
        expect(delay, `${name} seed ${seed}`).toBeLessThanOrEqual(maxDelay);
        const calm = coreScores(mk(false));
        const calmAlarms = calm.slice(CHANGE, CHANGE + maxDelay + 1).filter((x) => x >= 0.5).length;
        expect(calmAlarms, `${name} seed ${seed}: alarms without the change`).toBeLessThanOrEqual(1);
      }
    });
  }

  it('cool-down: the 10 rows after an alarm are capped at 0.3', () => {
    const rows = synthetic(4, 1, 4000);
    const s = coreScores(rows);
    let alarms = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i]! >= 0.5) {
        alarms++;
        for (let j = i + 1; j <= i + 10 && j < s.length; j++) expect(s[j]!).toBeLessThanOrEqual(0.3);
        i += 10;
      }
    }
    expect(alarms).toBeGreaterThan(3);
  });

  it('novelty: a value beyond the all-time range widened by 5 % scores 1 after warm-up', () => {
    const g = normal(21);
    const rows = series(1000, (i) => (i === 900 ? 1000 : 10 + g()));
    const s = coreScores(rows);
    expect(s[900]).toBe(1);
  });
});

describe('detector state', () => {
  it('is 3888 bytes per key (≤ 4 KB), as the core reports, for a detector-only query', () => {
    const core = detectorCore();
    expect(core.exports.stats_detector_key_bytes(0)).toBe(3888);
    expect(core.exports.stats_detector_key_bytes(0)).toBeLessThanOrEqual(4096);
    expect(new EnsembleDetector().stateBytes).toBe(3888);
    // 64 keys fill one chunk of blocks: allocated bytes / keys = the block size
    const keys = 64;
    const cols = core.reserve(keys);
    for (let k = 0; k < keys; k++) {
      cols.ts[k] = T0;
      cols.key[k] = k;
      cols.value[k] = k;
    }
    core.process(keys);
    expect(core.exports.stats_detector_state_bytes(0) / keys).toBe(3888);
  });
});
