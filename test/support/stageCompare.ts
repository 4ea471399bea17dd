/**
 * Comparison of a core stage row with the reference row (test/reference/stages.ts).
 *
 * Tolerances (core vs reference), and why. REL = 1e-9 throughout: both sides
 * make only rounding errors of a few n·u (u = 1.1e-16, n ≤ 30 rows per
 * window, a few hundred rows per key), i.e. ~1e-14 of the scales below; 1e-9
 * leaves five orders of magnitude for that and still catches any wrong window
 * membership, wrong slot or wrong recurrence, which change results by O(1/n)
 * of the same scales.
 *
 *   undefined-ness   exact: NaN on one side only is a mismatch. This includes
 *                    "stddev 0 → z undefined": both sides compute the window on
 *                    values shifted by the current value, so equal values give
 *                    exactly 0 on both; and when the values are not all equal
 *                    the true stddev is ≥ range/√(2(n−1)), far from 0.
 *   rolling_avg      |Δ| ≤ REL·max|v|      a mean's error is relative to the magnitudes summed.
 *   rolling_stddev   |Δ| ≤ REL·D           D = max|v − x| over the window (the data are
 *                    shifted by x, so errors scale with the spread, not with |x|:
 *                    1e6 + 1e-3 steps still get an accurate stddev).
 *   zscore           |Δ| ≤ REL·(D/σ)·(1 + |z|)   z = −mean(d)/σ: the mean's error is
 *                    ~REL·D, divided by σ; σ's relative error ~REL·D/σ times |z|.
 *                    D/σ ≤ √(2(n−1)) is bounded, so this is a relative-ish bound.
 *   is_anomaly       exact, compared only when ||z| − threshold| exceeds the z
 *                    tolerance (and 1e-9): at the threshold either answer is right.
 *   level, trend, forecast   |Δ| ≤ REL·(A + S + |level| + |trend|), A = max|x| of the
 *                    key so far, S = max|seasonal value|: each Holt step is an affine
 *                    combination (coefficients in [0, 1]) of these, so a rounding is
 *                    relative to them; for α, β ∈ (0, 1] Holt's recurrence is stable
 *                    (eigenvalues inside the unit circle), so errors do not compound.
 *   forecast_h       the same scale times the horizon h (h·trend).
 *   score            NaN (the detector is off in these tests).
 *   patterns         exact (comparisons of the input value with the bounds).
 */
import type { RefStageRow, StageRow } from '../reference/stages.js';

export const REL = 1e-9;

function fmt(r: StageRow): string {
  const { zscore, isAnomaly, level, trend, forecast, forecastH, score, patterns, rollingAvg, rollingStddev } = r;
  return JSON.stringify({ zscore, isAnomaly, level, trend, forecast, forecastH, score, patterns, rollingAvg, rollingStddev }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}

/** Why `a` (core) differs from `e` (reference), or null when within tolerance. */
export function stageRowMismatch(a: StageRow, e: RefStageRow, where: string): string | null {
  const fail = (field: string, tol?: number): string =>
    `${where}: ${field} is ${String(a[field as keyof StageRow])}, expected ${String(e[field as keyof StageRow])}` +
    (tol === undefined ? '' : ` (tolerance ${tol})`) +
    `\n  core: ${fmt(a)}\n  ref:  ${fmt(e)}`;
  const near = (field: keyof StageRow, tol: number): string | null => {
    const x = a[field];
    const y = e[field];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? null : fail(field);
    return Math.abs(x - y) <= tol ? null : fail(field, tol);
  };
  // z-score fields
  const z = e.z;
  if (!z) {
    for (const f of ['zscore', 'isAnomaly', 'rollingAvg', 'rollingStddev'] as const) if (!Number.isNaN(a[f])) return fail(f);
  } else {
    const sd = e.rollingStddev;
    const zTol = Number.isNaN(e.zscore) ? 0 : REL * (z.maxDev / sd) * (1 + Math.abs(e.zscore));
    const m = near('rollingAvg', REL * z.maxAbs) ?? near('rollingStddev', REL * z.maxDev) ?? near('zscore', zTol);
    if (m) return m;
    if ((e.rollingStddev === 0) !== (a.rollingStddev === 0)) return fail('rollingStddev');
    if (Number.isNaN(e.zscore)) {
      if (a.isAnomaly !== 0) return fail('isAnomaly');
    } else if (Math.abs(Math.abs(e.zscore) - (e.zThreshold ?? NaN)) > Math.max(1e-9, zTol)) {
      if (a.isAnomaly !== e.isAnomaly) return fail('isAnomaly');
    } else if (a.isAnomaly !== 0 && a.isAnomaly !== 1) {
      return fail('isAnomaly');
    }
  }
  // Holt fields
  const h = e.holt;
  if (!h) {
    for (const f of ['level', 'trend', 'forecast', 'forecastH'] as const) if (!Number.isNaN(a[f])) return fail(f);
  } else {
    const scale = h.maxAbs + h.maxSeasonal + Math.abs(e.level) + Math.abs(e.trend);
    const m = near('level', REL * scale) ?? near('trend', REL * scale) ?? near('forecast', REL * scale) ?? near('forecastH', REL * scale * (e.horizon ?? 1));
    if (m) return m;
  }
  if (!Number.isNaN(a.score) || !Number.isNaN(e.score)) return fail('score');
  if (!Object.is(a.patterns, e.patterns) && !(Number.isNaN(a.patterns) && Number.isNaN(e.patterns))) return fail('patterns');
  return null;
}

/** Compares row lists (same length, row by row). */
export function stageRowsMismatch(
  actual: readonly StageRow[],
  expected: readonly RefStageRow[],
  label: string,
  describe: (i: number) => string = (i) => `row ${i}`,
): string | null {
  if (actual.length !== expected.length) return `${label}: ${actual.length} stage rows, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const m = stageRowMismatch(actual[i]!, expected[i]!, `${label} ${describe(i)}`);
    if (m) return m;
  }
  return null;
}
