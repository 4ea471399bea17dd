/**
 * Comparisons between the wasm core's output and the reference's.
 *
 * Tolerances (core vs reference), and why:
 *   key, start, end, count   exact: integers / exact multiples of the slide.
 *   min, max                 exact: a min/max of the inputs involves no rounding.
 *   sum     |Δ| ≤ 1e-9 · Σ|x|           The condition number of a sum is Σ|x| / |Σx|,
 *           so any backward-stable algorithm is only accurate relative to Σ|x|
 *           (1e15 + 1 − 1e15 must not be required to be exactly 1 to 1e-9 relative).
 *   avg     |Δ| ≤ 1e-9 · max|x|          The mean is a sum divided by n: its absolute error
 *           is bounded by (Σ|x| / n)·ε ≤ max|x|·ε.
 *   stddev  |Δ| ≤ 1e-9 · max(stddev, max − min) + 1e-150
 *           A streaming (Welford/Chan) variance computes deviations from a running
 *           mean; its error scales with the spread of the data (max − min) rather than
 *           with the magnitude of the values, so 1e15 ± 1 still has an accurate
 *           stddev of ~1. The absolute floor 1e-150 is the documented limit (docs/semantics.md, "Numerics"):
 *           the core squares deviations without rescaling, so deviations below
 *           ~1e-154 underflow in their squares ({0, 1e-162} gives stddev 0), as in
 *           Spark's stddev. Both NaN (count < 2) counts as equal.
 *   sum, avg additionally + 1e-322: subnormal values (< 2.2e-308) have fewer
 *           significant bits; the mean (and sum = count × mean) rounds to a multiple of 5e-324.
 * 1e-9 is far looser than the algorithms' true error (~1e-15 relative) for the
 * short windows in the property tests yet far tighter than any real bug.
 */
import type { LateOut, RunOut, WindowOut } from '../reference/windows.js';
import { sortWindows } from '../reference/windows.js';

const REL = 1e-9;

function fmt(w: WindowOut): string {
  const { absSum: _a, absMax: _m, ...rest } = w;
  return JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** Why `actual` (core) differs from `expected` (reference), or null when within tolerance. */
export function windowMismatch(actual: WindowOut, expected: WindowOut): string | null {
  const where = `window key=${expected.key} [${expected.start}, ${expected.end})`;
  for (const f of ['key', 'start', 'end', 'count', 'min', 'max'] as const) {
    if (actual[f] !== expected[f]) return `${where}: ${f} is ${actual[f]}, expected ${expected[f]}\n  core: ${fmt(actual)}\n  ref:  ${fmt(expected)}`;
  }
  const absSum = expected.absSum ?? expected.count * Math.max(Math.abs(expected.min), Math.abs(expected.max));
  const absMax = expected.absMax ?? Math.max(Math.abs(expected.min), Math.abs(expected.max));
  const checks: [keyof WindowOut, number][] = [
    ['sum', REL * absSum + 1e-322],
    ['avg', REL * absMax + 1e-322],
    ['stddev', REL * Math.max(Number.isNaN(expected.stddev) ? 0 : expected.stddev, expected.max - expected.min) + 1e-150],
  ];
  for (const [f, tol] of checks) {
    const a = actual[f] as number;
    const e = expected[f] as number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      return `${where}: ${f} is ${a}, expected ${e}\n  core: ${fmt(actual)}\n  ref:  ${fmt(expected)}`;
    }
    if (!(Math.abs(a - e) <= tol)) {
      return `${where}: ${f} is ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)} > tolerance ${tol})\n  core: ${fmt(actual)}\n  ref:  ${fmt(expected)}`;
    }
  }
  return null;
}

/** Order-insensitive comparison of two window lists (sorted by end, start, key). */
export function windowsMismatch(actual: readonly WindowOut[], expected: readonly WindowOut[], label = ''): string | null {
  const a = sortWindows(actual);
  const e = sortWindows(expected);
  const n = Math.max(a.length, e.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = e[i];
    if (!x || !y || x.end !== y.end || x.start !== y.start || x.key !== y.key) {
      const ids = (ws: WindowOut[]): string => ws.map((w) => `k${w.key}[${w.start},${w.end})n${w.count}`).join(' ');
      return `${label}window sets differ (core ${a.length}, reference ${e.length})\n  core: ${ids(a)}\n  ref:  ${ids(e)}`;
    }
    const m = windowMismatch(x, y);
    if (m) return label + m;
  }
  return null;
}

function lateKey(l: LateOut): string {
  return `${l.row}:${l.ts}:${l.key}:${Object.is(l.value, -0) ? '-0' : l.value}`;
}

/** Late events must match exactly (ts, key, value, row), in row order. */
export function lateMismatch(actual: readonly LateOut[], expected: readonly LateOut[], label = ''): string | null {
  const a = actual.map(lateKey).join(' ');
  const e = expected.map(lateKey).join(' ');
  return a === e ? null : `${label}late events differ\n  core: ${a}\n  ref:  ${e}`;
}

/** Compares two runs call by call: every batch's windows (order-insensitive) and late events, then the flush. */
export function runMismatch(actual: RunOut, expected: RunOut): string | null {
  if (actual.batches.length !== expected.batches.length) return `batch counts differ: ${actual.batches.length} vs ${expected.batches.length}`;
  for (let i = 0; i < expected.batches.length; i++) {
    const a = actual.batches[i]!;
    const e = expected.batches[i]!;
    const m = windowsMismatch(a.windows, e.windows, `batch ${i}: `) ?? lateMismatch(a.late, e.late, `batch ${i}: `);
    if (m) return m;
  }
  return windowsMismatch(actual.flush.windows, expected.flush.windows, 'flush: ') ?? lateMismatch(actual.flush.late, expected.flush.late, 'flush: ');
}

/** Bit pattern of a window record, every field compared with Object.is semantics (NaN = NaN, 0 ≠ −0). */
export function windowBits(ws: readonly WindowOut[]): string {
  const f = new Float64Array(9);
  const u = new BigUint64Array(f.buffer);
  return ws
    .map((w) => {
      f.set([w.key, w.start, w.end, w.count, w.sum, w.avg, w.stddev, w.min, w.max]);
      return Array.from(u, (b) => b.toString(16)).join(',');
    })
    .join('\n');
}

/** Throws with `message` when it is not null (for use inside fast-check properties). */
export function check(message: string | null): void {
  if (message !== null) throw new Error(message);
}
