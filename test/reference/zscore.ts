/**
 * Reference rolling z-score, written from the spec (not from
 * assembly/zscore.ts): every key keeps the full list of its rows, and each row
 * recomputes its window from that list with obvious code.
 *
 * Spec
 *   - rows mode: the window of a row is the last N rows of its key, the
 *     current row included.
 *   - time mode: the key's rows with event time in
 *       (newest event time of the key so far − T, current row's time]
 *     ("so far" includes the current row), restricted to the newest `maxRows`
 *     rows of the key by arrival.
 *   - zscore = (x − mean) / sample stddev of the window; undefined (NaN,
 *     is_anomaly 0) with fewer than 2 rows or a stddev of 0;
 *     is_anomaly = |zscore| > threshold.
 *   - rolling mean: the window's mean (NaN for an empty window — a row older
 *     than newest − T is outside its own window); rolling stddev: its sample
 *     stddev (NaN below 2 rows, 0 for equal values).
 *
 * Numerics. Mean and variance are a plain two-pass computation on the values
 * shifted by the current value x (d = v − x; mean = x + mean(d);
 * var = Σ(d − mean(d))² / (n − 1); zscore = −mean(d) / stddev). Why the shift:
 * a window of equal values must give a stddev of exactly 0 (→ z undefined,
 * never a false anomaly), and without the shift it does not in floating
 * point: the mean of eleven 0.1s is 0.09999999999999999, every deviation is
 * then 1.4e-17 rather than 0, the stddev is 1.5e-17 and x − mean is 1.4e-17,
 * so a perfectly flat series gets z ≈ 0.95 instead of "undefined" (a false
 * anomaly for any threshold below that). Shifted by x, every
 * d is exactly 0 (v − x is exact for v = x), so Σd, the mean of d and every
 * squared deviation are exactly 0. The current row is always in its window
 * when the window has ≥ 2 rows (time mode: t = ts satisfies t ≤ ts, and
 * t > newest − T unless the window is empty), so the shift is one of the
 * data and |d| ≤ the window's range: the shifted data are well conditioned.
 */

export interface ZScoreRowsConfig {
  mode: 'rows';
  /** N ≥ 2. */
  rows: number;
  threshold: number;
}

export interface ZScoreTimeConfig {
  mode: 'time';
  /** T > 0, ms of event time. */
  timeMs: number;
  /** Newest rows (by arrival) considered, ≥ 2. */
  maxRows: number;
  threshold: number;
}

export type ZScoreConfig = ZScoreRowsConfig | ZScoreTimeConfig;

export interface ZScoreOut {
  z: number;
  /** 0/1 (0 when z is undefined). */
  anomaly: number;
  mean: number;
  stddev: number;
  /** Reference only, for the comparison tolerances: rows in the window, max |v − x| and max |v| over them. */
  n: number;
  maxDev: number;
  maxAbs: number;
}

interface Row {
  ts: number;
  x: number;
}

/** Plain two-pass mean/stddev of `vs` shifted by `x` (see the file comment). */
export function shiftedStats(vs: readonly number[], x: number): { mean: number; stddev: number; z: number } {
  const n = vs.length;
  if (n === 0) return { mean: NaN, stddev: NaN, z: NaN };
  const d = vs.map((v) => v - x);
  let sum = 0;
  for (const di of d) sum += di;
  const md = sum / n;
  if (n < 2) return { mean: x + md, stddev: NaN, z: NaN };
  let ss = 0;
  for (const di of d) ss += (di - md) * (di - md);
  const stddev = Math.sqrt(ss / (n - 1));
  return { mean: x + md, stddev, z: stddev > 0 ? -md / stddev : NaN };
}

export class ReferenceZScore {
  private readonly rows = new Map<number, Row[]>();
  private readonly newest = new Map<number, number>();

  constructor(readonly cfg: ZScoreConfig) {}

  /** The rows of key `k`'s window for a new row (ts, x), after adding it. */
  private window(k: number, ts: number, x: number): number[] {
    let list = this.rows.get(k);
    if (!list) this.rows.set(k, (list = []));
    list.push({ ts, x });
    const newest = Math.max(this.newest.get(k) ?? -Infinity, ts);
    this.newest.set(k, newest);
    if (this.cfg.mode === 'rows') return list.slice(-this.cfg.rows).map((r) => r.x);
    const lo = newest - this.cfg.timeMs;
    return list
      .slice(-this.cfg.maxRows)
      .filter((r) => r.ts > lo && r.ts <= ts)
      .map((r) => r.x);
  }

  step(k: number, ts: number, x: number): ZScoreOut {
    const vs = this.window(k, ts, x);
    const { mean, stddev, z } = shiftedStats(vs, x);
    return {
      z,
      anomaly: Math.abs(z) > this.cfg.threshold ? 1 : 0,
      mean,
      stddev,
      n: vs.length,
      maxDev: vs.reduce((m, v) => Math.max(m, Math.abs(v - x)), 0),
      maxAbs: vs.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    };
  }
}
