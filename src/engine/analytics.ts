/**
 * The per-row analytics a query adds to its rows — rolling z-score (the
 * seed's `is_anomaly` rule), the default anomaly score, Holt / Holt-Winters
 * forecasts, threshold patterns — as user options and as the validated plan
 * the engine hands to a core stage.
 *
 * Where they run: in an events query (`eddy.stream(src).detectAnomalies(…)`)
 * on every event's value; in a windows query (`….agg(…).detectAnomalies(…)`)
 * on one aggregate of each window result (avg_value by default, as the
 * seed's AnalyticsPipeline: windows → anomalies on avg_value → threshold
 * patterns).
 */
import { parseDuration, type Duration } from './duration.js';
import { MAX_THRESHOLDS } from '../core/exports.js';

/** Options of detectAnomalies(). */
export interface AnomalyOptions {
  /** Rows in the rolling window, the current one included (the seed's rowsBetween(-10, 0) = 11); default 11. */
  rows?: number;
  /** Use the last `time` of event time instead of a row count (at most `maxRows` rows, default 10000). */
  time?: Duration;
  /** Row cap of a time window; default 10000. */
  maxRows?: number;
  /** |zscore| above this is an anomaly; default 2 (the seed's). */
  threshold?: number;
  /** Also compute eddy's default anomaly score (`anomaly_score` in [0, 1]); default true. */
  score?: boolean;
}

/** Options of forecast(). */
export interface ForecastOptions {
  /** Level smoothing; default 0.3 (the seed's). */
  alpha?: number;
  /** Trend smoothing; default = alpha (as the seed). */
  beta?: number;
  /** Seasonal smoothing (Holt-Winters); default 0.1. */
  gamma?: number;
  /** Steps ahead of `forecast_h`; default 10. */
  horizon?: number;
  /** Season: a number of rows (e.g. 288 = one day of 5-minute rows) or a duration ('1 day'). */
  season?: number | Duration;
  /** Buckets of a duration season; default season / the row step (`step`), else 288. */
  seasonSlots?: number;
  /** The rows' time step, to split a duration season into buckets ('5 minutes'); windows queries use the slide. */
  step?: Duration;
}

/** One named bound set, as the seed's threshold config. */
export interface ThresholdBounds {
  upper?: number;
  lower?: number;
}

/** Options of patterns(). */
export interface PatternOptions {
  /** Named bounds: `{ critical: { upper: 100 }, warning: { upper: 80, lower: 20 } }`. */
  threshold?: Record<string, ThresholdBounds>;
  /** Sequence patterns over the events' type field: `'A -> B -> C within 5m'`. */
  sequence?: (string | { name: string; pattern: string })[];
  /** The event-type field the sequences read; default 'type'. */
  typeColumn?: string;
}

/** The validated analytics of one stage. */
export interface AnalyticsPlan {
  zscore?: { mode: 'rows' | 'time'; rows: number; timeMs: number; threshold: number };
  score: boolean;
  forecast?: { alpha: number; beta: number; gamma: number; horizon: number; slots: number; seasonMs: number };
  thresholds: { name: string; upper?: number; lower?: number }[];
}

/** Most named threshold patterns (two bits each in the core's 32-bit mask). */
export const MAX_THRESHOLD_PATTERNS = MAX_THRESHOLDS;

/** Default slots of a duration season when the row step is unknown (a day of 5-minute rows). */
export const DEFAULT_SEASON_SLOTS = 288;

function num(value: unknown, name: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An empty plan (nothing computed). */
export function emptyAnalytics(): AnalyticsPlan {
  return { score: false, thresholds: [] };
}

/** Adds detectAnomalies() options to a plan. */
export function withAnomalies(plan: AnalyticsPlan, o: AnomalyOptions): AnalyticsPlan {
  const threshold = o.threshold === undefined ? 2 : num(o.threshold, 'detectAnomalies threshold', 0, Number.MAX_VALUE);
  const zscore =
    o.time === undefined
      ? { mode: 'rows' as const, rows: o.rows === undefined ? 11 : num(o.rows, 'detectAnomalies rows', 2, 1 << 20, true), timeMs: 0, threshold }
      : {
          mode: 'time' as const,
          rows: o.maxRows === undefined ? 10_000 : num(o.maxRows, 'detectAnomalies maxRows', 2, 1 << 20, true),
          timeMs: parseDuration(o.time, 'detectAnomalies time'),
          threshold,
        };
  if (zscore.mode === 'time' && !(zscore.timeMs > 0)) throw new RangeError('detectAnomalies time: expected a duration > 0');
  return { ...plan, zscore, score: o.score ?? true };
}

/** Adds forecast() options to a plan; `stepMs` is the known row step (windows: the slide). */
export function withForecast(plan: AnalyticsPlan, o: ForecastOptions, stepMs?: number): AnalyticsPlan {
  const alpha = o.alpha === undefined ? 0.3 : num(o.alpha, 'forecast alpha', Number.MIN_VALUE, 1);
  const beta = o.beta === undefined ? alpha : num(o.beta, 'forecast beta', 0, 1);
  const gamma = o.gamma === undefined ? 0.1 : num(o.gamma, 'forecast gamma', 0, 1);
  const horizon = o.horizon === undefined ? 10 : num(o.horizon, 'forecast horizon', 1, 1_000_000, true);
  let slots = 0;
  let seasonMs = 0;
  if (typeof o.season === 'number') {
    slots = num(o.season, 'forecast season (rows)', 2, 1 << 20, true);
  } else if (o.season !== undefined) {
    seasonMs = parseDuration(o.season, 'forecast season');
    const step = o.step !== undefined ? parseDuration(o.step, 'forecast step') : stepMs;
    slots =
      o.seasonSlots !== undefined
        ? num(o.seasonSlots, 'forecast seasonSlots', 2, 1 << 20, true)
        : step && step > 0
          ? Math.max(2, Math.round(seasonMs / step))
          : DEFAULT_SEASON_SLOTS;
    if (!(seasonMs > 0)) throw new RangeError('forecast season: expected a duration > 0');
  }
  return { ...plan, forecast: { alpha, beta, gamma, horizon, slots, seasonMs } };
}

/** Adds named threshold bounds to a plan. */
export function withThresholds(plan: AnalyticsPlan, bounds: Record<string, ThresholdBounds>): AnalyticsPlan {
  const thresholds = Object.entries(bounds).map(([name, b]) => {
    if (typeof b !== 'object' || b === null) throw new TypeError(`patterns threshold '${name}': expected { upper?, lower? }`);
    const t: { name: string; upper?: number; lower?: number } = { name };
    if (b.upper !== undefined) t.upper = num(b.upper, `patterns threshold '${name}' upper`, -Number.MAX_VALUE, Number.MAX_VALUE);
    if (b.lower !== undefined) t.lower = num(b.lower, `patterns threshold '${name}' lower`, -Number.MAX_VALUE, Number.MAX_VALUE);
    if (t.upper === undefined && t.lower === undefined) throw new TypeError(`patterns threshold '${name}': give upper, lower or both`);
    return t;
  });
  if (thresholds.length > MAX_THRESHOLD_PATTERNS)
    throw new RangeError(`patterns threshold: at most ${MAX_THRESHOLD_PATTERNS} named bounds, got ${thresholds.length}`);
  return { ...plan, thresholds };
}

/** True when a plan computes anything. */
export function hasAnalytics(plan: AnalyticsPlan | undefined): plan is AnalyticsPlan {
  return !!plan && (plan.zscore !== undefined || plan.score || plan.forecast !== undefined || plan.thresholds.length > 0);
}

/** The output columns a plan adds to each record, in order (the seed's names). */
export function analyticsColumns(plan: AnalyticsPlan | undefined): string[] {
  if (!hasAnalytics(plan)) return [];
  const cols: string[] = [];
  if (plan.zscore) cols.push('rolling_avg', 'rolling_stddev', 'zscore', 'is_anomaly');
  if (plan.score) cols.push('anomaly_score');
  if (plan.forecast) cols.push('level', 'trend', 'forecast', 'forecast_h');
  if (plan.thresholds.length > 0) cols.push('detected_patterns');
  return cols;
}
