/**
 * Reference Holt / Holt-Winters (additive) smoothing per key, written from
 * the spec (not from assembly/holt.ts), as plain per-key objects.
 *
 * Spec, per key (rows counted from 0 in arrival order):
 *   - row 0: level = x, trend = 0.
 *   - rows ≥ 1: level_t = α (x − s) + (1 − α)(level_{t−1} + trend_{t−1});
 *     trend = 0 on rows 0 and 1; from row 2 on
 *     trend_t = β (level_t − level_{t−1}) + (1 − β) trend_{t−1}.
 *   - s = the seasonal value of x's slot (0 without seasonality, or for a slot
 *     never seen). After the level update the slot's seasonal value becomes
 *     x − level on its first visit (row 0 included), else
 *     γ (x − level) + (1 − γ) · old.
 *   - slots: rows mode slot = row index mod m; time mode slot =
 *     floor(((ts mod season, made non-negative) / season) · m), clamped to [0, m − 1].
 *   - forecast = level + trend + s(next slot); forecast_h = level + h·trend + s(slot h
 *     steps ahead) (s = 0 for a slot never seen). Rows mode: the next row index is
 *     the current + 1, h steps ahead is current + h. Time mode: the next time is
 *     ts + step, h steps ahead is ts + h·step, where step is the key's last
 *     positive time difference between consecutive rows (0 before there is one).
 */

export type Season = { kind: 'none' } | { kind: 'rows'; m: number } | { kind: 'time'; seasonMs: number; m: number };

export interface HoltConfig {
  alpha: number;
  beta: number;
  gamma: number;
  horizon: number;
  season: Season;
}

export interface HoltOut {
  level: number;
  trend: number;
  forecast: number;
  forecastH: number;
  /** Reference only, for the comparison tolerances: max |x| of the key so far, max |seasonal value| in use. */
  maxAbs: number;
  maxSeasonal: number;
}

interface KeyState {
  rows: number;
  level: number;
  trend: number;
  lastTs: number;
  step: number;
  maxAbs: number;
  /** Seasonal value per slot; absent = never seen. */
  seasonal: Map<number, number>;
}

export class ReferenceHolt {
  private readonly keys = new Map<number, KeyState>();

  constructor(readonly cfg: HoltConfig) {}

  /** Slot of the row with index `row` (rows mode) or time `ts` (time mode); 0 without seasonality. */
  slot(row: number, ts: number): number {
    const season = this.cfg.season;
    if (season.kind === 'none') return 0;
    if (season.kind === 'rows') return row % season.m;
    let phase = ts % season.seasonMs;
    if (phase < 0) phase += season.seasonMs;
    const slot = Math.floor((phase / season.seasonMs) * season.m);
    return Math.min(Math.max(slot, 0), season.m - 1);
  }

  step(k: number, ts: number, x: number): HoltOut {
    const { alpha, beta, gamma, horizon: h } = this.cfg;
    let st = this.keys.get(k);
    if (!st) this.keys.set(k, (st = { rows: 0, level: NaN, trend: NaN, lastTs: NaN, step: 0, maxAbs: 0, seasonal: new Map() }));
    const row = st.rows;
    const seasonal = this.cfg.season.kind !== 'none';
    const slot = this.slot(row, ts);
    const s = (i: number): number => (seasonal ? (st.seasonal.get(i) ?? 0) : 0);
    let level: number;
    let trend: number;
    if (row === 0) {
      level = x;
      trend = 0;
    } else {
      level = alpha * (x - s(slot)) + (1 - alpha) * (st.level + st.trend);
      trend = row >= 2 ? beta * (level - st.level) + (1 - beta) * st.trend : 0;
      if (ts - st.lastTs > 0) st.step = ts - st.lastTs;
    }
    if (seasonal) {
      const old = st.seasonal.get(slot);
      st.seasonal.set(slot, old === undefined ? x - level : gamma * (x - level) + (1 - gamma) * old);
    }
    st.rows = row + 1;
    st.level = level;
    st.trend = trend;
    st.lastTs = ts;
    st.maxAbs = Math.max(st.maxAbs, Math.abs(x));
    const next = s(this.slot(row + 1, ts + st.step));
    const ahead = s(this.slot(row + h, ts + h * st.step));
    let maxSeasonal = 0;
    for (const v of st.seasonal.values()) maxSeasonal = Math.max(maxSeasonal, Math.abs(v));
    return {
      level,
      trend,
      forecast: level + trend + next,
      forecastH: level + h * trend + ahead,
      maxAbs: st.maxAbs,
      maxSeasonal,
    };
  }
}
