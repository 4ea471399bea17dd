import { describe, expect, it } from 'vitest';
import { runDetector } from '../../bench/nab/harness.js';
import { SurpriseLikelihoodDetector } from '../../bench/nab/prototype/detector.js';
import { SeedRule } from '../../bench/nab/baselines.js';

describe('NAB prototype detector (bench/nab/prototype/detector.ts)', () => {
  const run = runDetector(() => new SurpriseLikelihoodDetector());

  it('emits one finite score in [0, 1] per row', () => {
    for (const s of run.scores) for (const v of s) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('scores the 24 shared NAB files at the level reported in the study', () => {
    expect(run.result.standard.score).toBeGreaterThan(75);
    expect(run.result.reward_low_FP_rate.score).toBeGreaterThan(60);
    expect(run.result.reward_low_FN_rate.score).toBeGreaterThan(80);
  });

  it('is deterministic and ignores non-finite values', () => {
    const a = new SurpriseLikelihoodDetector();
    const b = new SurpriseLikelihoodDetector();
    const t0 = Date.UTC(2020, 0, 1);
    for (let i = 0; i < 3000; i++) {
      const t = t0 + i * 300_000;
      const x = Math.sin(i / 40) + ((i * 7919) % 13) / 50;
      expect(a.update(t, x)).toBe(b.update(t, x));
    }
    expect(a.update(t0 + 3000 * 300_000, Number.NaN)).toBe(0);
  });

  it("the seed's binary rule scores 0 (the optimiser prefers never firing)", () => {
    const seed = runDetector(() => new SeedRule());
    expect(seed.result.standard.score).toBe(0);
  });
});
