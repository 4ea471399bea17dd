/**
 * The default anomaly score in the wasm core equals its TypeScript reference
 * (test/reference/detector.ts): on real NAB series, on seeded synthetic
 * streams with several keys, for any batch split and across snapshot/restore.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { S_SCORE } from '../../src/core/exports.js';
import type { WasmCore } from '../../src/core/wasmCore.js';
import { SurpriseLikelihoodDetector } from '../reference/detector.js';
import { loadNab } from '../../bench/nab/data.js';
import { normal } from '../support/prng.js';

interface Row { ts: number; key: number; value: number }

function detectorCore(): WasmCore {
  const core = loadCore();
  core.enableWindows(false);
  core.configureStage(0, { detector: true });
  return core;
}

/** Scores rows through the core in batches of the given sizes, optionally restoring into a fresh core after batch `restoreAfter`. */
function coreScores(rows: Row[], sizes: number[], restoreAfter = -1): number[] {
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
  const detectors = new Map<number, SurpriseLikelihoodDetector>();
  return rows.map((r) => {
    let d = detectors.get(r.key);
    if (!d) detectors.set(r.key, (d = new SurpriseLikelihoodDetector()));
    return d.update(r.ts, r.value);
  });
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  // exp/log may differ in the last bit between the engines' libm; nothing more
  expect(worst, `row ${at}: core ${actual[at]} vs reference ${expected[at]}`).toBeLessThanOrEqual(1e-9);
}

/** A seeded synthetic stream: K keys, 5-minute rows over ~10 days, daily cycle, noise, a few spikes and a level shift. */
function synthetic(seed: number, keys: number, rowsPerKey: number): Row[] {
  const noise = normal(seed);
  const t0 = Date.UTC(2024, 0, 1);
  const rows: Row[] = [];
  for (let i = 0; i < rowsPerKey; i++) {
    for (let k = 0; k < keys; k++) {
      const t = t0 + i * 300_000 + k * 1000;
      let v = 100 + 20 * Math.sin((2 * Math.PI * (t % 86_400_000)) / 86_400_000) + 3 * noise();
      if ((i + 97 * k) % 701 === 0) v += 60; // spikes
      if (i > rowsPerKey * 0.7 && k % 2 === 0) v += 40; // a level shift in half the keys
      rows.push({ ts: t, key: k, value: v });
    }
  }
  return rows;
}

describe('default anomaly score (wasm) vs reference', () => {
  it('matches the reference row by row on real NAB series', () => {
    const files = loadNab().filter((f) => /nyc_taxi|machine_temperature|art_daily_jumpsup|exchange-2_cpc/.test(f.name));
    expect(files).toHaveLength(4);
    for (const f of files) {
      const rows = Array.from(f.values, (value, i) => ({ ts: f.times[i]!, key: 0, value }));
      const scores = coreScores(rows, [rows.length]);
      expectClose(scores, referenceScores(rows));
      expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    }
  }, 60_000);

  it('matches for several keys, any batch split, across snapshot/restore', () => {
    const rows = synthetic(11, 3, 3200);
    const expected = referenceScores(rows);
    expect(expected.some((s) => s >= 0.5)).toBe(true); // the stream exercises alarms
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 8 }), fc.nat(), (cuts, restorePick) => {
        const sizes: number[] = [];
        let left = rows.length;
        for (const c of cuts) {
          if (left === 0) break;
          const n = Math.min(c, left);
          sizes.push(n);
          left -= n;
        }
        if (left > 0) sizes.push(left);
        expectClose(coreScores(rows, sizes, restorePick % sizes.length), expected);
      }),
      { seed: 20261125, numRuns: 6 },
    );
  }, 120_000);
});
