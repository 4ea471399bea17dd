/**
 * Numerical stability of the core's streaming statistics (Welford on shifted
 * data per pane, Chan's merge across panes) against the reference's careful
 * two-pass computation (test/reference/windows.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { aggregate, allWindows, runCore, sampleStddev, neumaierSum, type StreamEvent, type WindowConfig, type WindowOut } from '../reference/windows.js';
import { normal } from '../support/prng.js';

const newCore = () => loadCore();

/** Runs `values` (one key, timestamps from `ts`) through the core and returns its windows after flush. */
function coreWindows(cfg: WindowConfig, values: readonly number[], ts: (i: number) => number = () => 0): WindowOut[] {
  const events: StreamEvent[] = values.map((value, i) => ({ ts: ts(i), key: 0, value }));
  return allWindows(runCore(newCore, cfg, events));
}

const tumbling = (size: number): WindowConfig => ({ size, slide: size, delay: 0, lateness: 0, mode: 'append' });

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('Welford stability', () => {
  const gauss = normal(0xedd1);
  const noisy = Array.from({ length: 5000 }, () => 1e9 + gauss());

  it('1e9 + N(0,1) noise in one big tumbling window: stddev matches two-pass to 1e-9 relative', () => {
    const [w, ...rest] = coreWindows(tumbling(1_000_000), noisy, (i) => i);
    expect(rest).toEqual([]);
    expect(w!.count).toBe(noisy.length);
    const sd = sampleStddev(noisy);
    expect(sd).toBeGreaterThan(0.9); // sanity: the noise is ~N(0,1)
    expect(sd).toBeLessThan(1.1);
    expect(relErr(w!.stddev, sd)).toBeLessThan(1e-9);
    expect(relErr(w!.avg, neumaierSum(noisy) / noisy.length)).toBeLessThan(1e-15);
    expect(relErr(w!.sum, neumaierSum(noisy))).toBeLessThan(1e-12);
    expect(w!.min).toBe(Math.min(...noisy));
    expect(w!.max).toBe(Math.max(...noisy));
  });

  it('1e9 + N(0,1) noise across many panes (sliding, Chan merges): every window matches two-pass to 1e-9 relative', () => {
    // size 500, slide 20 → 25 panes per window, each pane its own shift.
    const cfg: WindowConfig = { size: 500, slide: 20, delay: 0, lateness: 0, mode: 'append' };
    const ws = coreWindows(cfg, noisy, (i) => i);
    expect(ws.length).toBeGreaterThan(200);
    for (const w of ws) {
      const vals = noisy.filter((_, i) => i >= w.start && i < w.end);
      expect(w.count).toBe(vals.length);
      if (vals.length < 2) continue;
      expect(relErr(w.stddev, sampleStddev(vals))).toBeLessThan(1e-9);
    }
  });

  it('1e15 + {−1, 0, +1}: stddev is exactly 1 for one period and sqrt(2k/(3k−1)) for k periods', () => {
    const [one] = coreWindows(tumbling(10), [1e15 - 1, 1e15, 1e15 + 1]);
    expect(one!.stddev).toBe(1);
    expect(one!.avg).toBe(1e15);
    expect(one!.sum).toBe(3e15);
    for (const k of [2, 10, 1000]) {
      const vals = Array.from({ length: 3 * k }, (_, i) => 1e15 + ((i % 3) - 1));
      const exact = Math.sqrt((2 * k) / (3 * k - 1));
      // one pane (tumbling) and many panes (sliding: one value per ms, 3 ms panes)
      const [t] = coreWindows(tumbling(1e6), vals, (i) => i);
      expect(relErr(t!.stddev, exact)).toBeLessThan(1e-13);
      expect(t!.avg).toBe(1e15);
      const s = coreWindows({ size: 9_000, slide: 3, delay: 0, lateness: 0, mode: 'append' }, vals, (i) => i);
      const full = s.find((w) => w.start === 0)!;
      expect(full.count).toBe(3 * k);
      expect(relErr(full.stddev, exact)).toBeLessThan(1e-13);
    }
  });

  it('1e15 ± 1 mixed with 1e15 + 0.5 and −1e15 stays accurate relative to the spread', () => {
    const vals = [1e15 + 1, 1e15 - 1, 1e15 + 0.5, 1e15, -1e15, 1e15 + 1];
    const [w] = coreWindows(tumbling(10), vals);
    const r = aggregate(0, 0, 10, vals);
    expect(Math.abs(w!.stddev - r.stddev)).toBeLessThan(1e-9 * (r.max - r.min));
    expect(Math.abs(w!.sum - r.sum)).toBeLessThan(1e-9 * r.absSum!);
  });

  it('a window of one event has stddev NaN and its value as sum/avg/min/max', () => {
    for (const x of [1e15 + 0.5, -1e15, 1e-300, 0, 42.25]) {
      const [w, ...rest] = coreWindows(tumbling(10), [x]);
      expect(rest).toEqual([]);
      expect(w!.count).toBe(1);
      expect(w!.stddev).toBeNaN();
      expect([w!.sum, w!.avg, w!.min, w!.max]).toEqual([x, x, x, x]);
    }
  });

  it('identical values give stddev exactly 0 (not NaN, not negative), in one pane and across panes', () => {
    for (const x of [0.1, 1e15 + 0.5, -1e15, 1e-300, 7]) {
      const vals = Array.from({ length: 1000 }, () => x);
      const [t] = coreWindows(tumbling(1e6), vals, (i) => i);
      expect(Object.is(t!.stddev, 0)).toBe(true);
      const sliding = coreWindows({ size: 100, slide: 10, delay: 0, lateness: 0, mode: 'append' }, vals, (i) => i);
      for (const w of sliding) {
        if (w.count >= 2) expect(Object.is(w.stddev, 0), `window [${w.start}, ${w.end}) of ${x}`).toBe(true);
        expect(w.min).toBe(x);
        expect(w.max).toBe(x);
      }
    }
  });

  // Documented limit (docs/semantics.md, "Numerics"): the core squares deviations without
  // rescaling, so deviations below ~1e-154 underflow in their squares. Down to
  // a spread of 1e-140 stddev keeps 1e-9 relative accuracy; below, its error is
  // at most 1e-150 absolute ({0, 1e-162} comes out as 0, as in Spark).
  it('stddev of tiny values: 1e-9 relative down to a spread of 1e-140, then at most 1e-150 absolute', () => {
    for (const vals of [
      [0, 1e-140],
      [1e-140, 2e-140, 3e-140],
      [5e-141, -5e-141, 0],
    ]) {
      const [w] = coreWindows(tumbling(10), vals);
      const sd = sampleStddev(vals);
      expect(Math.abs(w!.stddev - sd) / sd, `values ${vals.join(', ')}: core ${w!.stddev}, exact ${sd}`).toBeLessThanOrEqual(1e-9);
    }
    for (const vals of [
      [0, 1e-162],
      [0, 1e-160],
      [1e-160, 2e-160, 3e-160],
    ]) {
      const [w] = coreWindows(tumbling(10), vals);
      const sd = sampleStddev(vals);
      expect(Math.abs(w!.stddev - sd), `values ${vals.join(', ')}: core ${w!.stddev}, exact ${sd}`).toBeLessThanOrEqual(1e-150);
      expect(w!.stddev).toBeGreaterThanOrEqual(0);
    }
  });

  // The core reports sum as count × mean; for subnormal values that rounds to a
  // multiple of 5e-324 ({0, 1.5e-323} → 2e-323): documented, a few ulps of the
  // smallest subnormal.
  it('sum of subnormal values is within 1e-322 of the exact sum', () => {
    const vals = [0, 1.5e-323];
    const [w] = coreWindows(tumbling(10), vals);
    expect(Math.abs(w!.sum - 1.5e-323), `core sum ${w!.sum}, exact 1.5e-323`).toBeLessThanOrEqual(1e-322);
  });
});
