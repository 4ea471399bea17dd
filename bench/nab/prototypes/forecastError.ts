/**
 * Forecast-error surprise: the raw input of Numenta-style anomaly likelihood
 * when the model is a plain forecaster instead of HTM.
 *
 * Per row (t, x): forecast x̂ before seeing x; error e = x − x̂; the row is a
 * surprise (raw 1) if |e| > k·σ̂, else raw 0 (k = SIGMA, three-sigma rule by
 * default, the constant the CV grid tunes). σ̂ is a robust error scale: the
 * exponentially weighted mean absolute error times √(π/2) (= σ for Gaussian
 * errors; less inflated by heavy-tailed bursts than a mean square), kept per
 * hour of day (24 buckets, so count series whose noise follows the daily
 * rhythm are judged against that hour's noise), falling back to the global
 * scale while a bucket has fewer than 10 visits.
 *
 * Forecasters (one instance each, independent):
 * - `last`: x̂ = previous value (random walk). Sudden steps and spikes.
 * - `daily`: x̂ = the value in the same 5-minute slot of the day one day
 *   earlier (seasonal naive, period 1 day, in event time: 288 slots of
 *   f32 value + u16 day number). No forecast (raw NaN) if that slot was not
 *   written yesterday (first day, gaps, rows closer than 5 minutes).
 *   Catches a daily pattern that changes or disappears.
 *
 * Raw is NaN ("no opinion") until the forecaster has made 10 forecasts.
 *
 * Fixed (untuned, set before any scoring): 24 hour buckets, 10 visits,
 * global rate max(1/n, 2/(288+1)) (span = the likelihood's learning period),
 * bucket rate max(1/visits, 0.05), 288 day slots.
 *
 * State: `last` — last value f64 (8) + scale (global mae, n: 2 × f64 = 16;
 * 24 × (f32 mae + f32 visits) = 192) + forecasts f64 (8) = 224 B.
 * `daily` — 288 × (f32 + u16) = 1728 B + the same scale 208 + forecasts 8
 * = 1944 B.
 */
export const DAY_MS = 86_400_000;
const HOUR_BUCKETS = 24;
const MIN_VISITS = 10;
const WARMUP_FORECASTS = 10;
/** Exploration knobs (scratch; fixed before the final design). */
export const FE_OPTS = { globalAlpha: 2 / (288 + 1), bucketAlpha: 0.05, mse: false };
const DAY_SLOTS = 288;
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/** Which forecaster a component uses. */
export type ForecasterKind = 'last' | 'daily' | 'weekly';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * DAY_MS;
const WEEK_SLOTS = 168;

/** Hour of day (0–23) of an epoch-ms time (UTC). */
export function hourOfDay(t: number): number {
  let p = t % DAY_MS;
  if (p < 0) p += DAY_MS;
  return Math.min(HOUR_BUCKETS - 1, Math.floor(p / 3_600_000));
}

/** Robust error scale per hour of day, with a global fallback. */
export class ErrorScale {
  static readonly BYTES = 16 + HOUR_BUCKETS * 6;
  private n = 0;
  private mae = 0;
  private readonly bucketMae = new Float32Array(HOUR_BUCKETS);
  private readonly visits = new Uint16Array(HOUR_BUCKETS);
  /** σ̂ for time t (before this row's error is learnt). */
  sigma(t: number): number {
    const b = hourOfDay(t);
    const m = (this.visits[b] as number) >= MIN_VISITS ? (this.bucketMae[b] as number) : this.mae;
    return FE_OPTS.mse ? Math.sqrt(m) : m * SQRT_HALF_PI;
  }
  /** Learn one absolute error at time t. */
  learn(t: number, absError: number): void {
    const b = hourOfDay(t);
    if (FE_OPTS.mse) absError *= absError;
    const GLOBAL_ALPHA = FE_OPTS.globalAlpha;
    const BUCKET_ALPHA = FE_OPTS.bucketAlpha;
    this.n++;
    this.mae += Math.max(GLOBAL_ALPHA, 1 / this.n) * (absError - this.mae);
    const v = (this.visits[b] as number) + 1;
    this.visits[b] = Math.min(v, 65535);
    const bm = this.bucketMae[b] as number;
    this.bucketMae[b] = bm + Math.max(BUCKET_ALPHA, 1 / v) * (absError - bm);
  }
}

/** Forecast-error surprise component. */
export class ForecastError {
  readonly stateBytes: number;
  private readonly scale = new ErrorScale();
  private forecasts = 0;
  private last = NaN;
  private readonly slotValue: Float32Array | undefined;
  private readonly slotDay: Int32Array | undefined;
  // weekly: mean of each hour of the week, stamped with its week (u8 in wasm)
  private readonly hourMean: Float32Array | undefined;
  private readonly hourWeek: Int32Array | undefined;
  private accHour = NaN;
  private accSum = 0;
  private accCount = 0;

  constructor(readonly kind: ForecasterKind, private readonly sigmaK: number = 3) {
    if (kind === 'daily') {
      this.slotValue = new Float32Array(DAY_SLOTS);
      this.slotDay = new Int32Array(DAY_SLOTS).fill(-1);
      this.stateBytes = DAY_SLOTS * 6 + ErrorScale.BYTES + 8;
    } else if (kind === 'weekly') {
      this.hourMean = new Float32Array(WEEK_SLOTS);
      this.hourWeek = new Int32Array(WEEK_SLOTS).fill(-1);
      this.stateBytes = WEEK_SLOTS * 5 + 24 + ErrorScale.BYTES + 8;
    } else {
      this.stateBytes = 8 + ErrorScale.BYTES + 8;
    }
  }

  /** The forecast for (t, ·), NaN if none. */
  private forecast(t: number): number {
    if (this.kind === 'last') return this.last;
    if (this.kind === 'weekly') {
      const h = Math.floor(t / HOUR_MS);
      const slot = ((h % WEEK_SLOTS) + WEEK_SLOTS) % WEEK_SLOTS;
      const week = Math.floor(t / WEEK_MS) & 0xff;
      return (this.hourWeek as Int32Array)[slot] === ((week + 0xff) & 0xff) ? ((this.hourMean as Float32Array)[slot] as number) : NaN;
    }
    const day = Math.floor(t / DAY_MS) & 0xffff;
    const slot = Math.min(DAY_SLOTS - 1, Math.floor(((t - Math.floor(t / DAY_MS) * DAY_MS) / DAY_MS) * DAY_SLOTS));
    const sd = (this.slotDay as Int32Array)[slot] as number;
    return sd === ((day + 0xffff) & 0xffff) ? ((this.slotValue as Float32Array)[slot] as number) : NaN;
  }

  private remember(t: number, x: number): void {
    if (this.kind === 'last') {
      this.last = x;
      return;
    }
    if (this.kind === 'weekly') {
      // Hourly means: when a row opens a new hour, the finished hour's mean
      // is stored in its hour-of-week slot, stamped with its week.
      const h = Math.floor(t / HOUR_MS);
      if (h !== this.accHour) {
        if (this.accCount > 0) {
          const slot = ((this.accHour % WEEK_SLOTS) + WEEK_SLOTS) % WEEK_SLOTS;
          (this.hourMean as Float32Array)[slot] = this.accSum / this.accCount;
          (this.hourWeek as Int32Array)[slot] = Math.floor((this.accHour * HOUR_MS) / WEEK_MS) & 0xff;
        }
        this.accHour = h;
        this.accSum = 0;
        this.accCount = 0;
      }
      this.accSum += x;
      this.accCount++;
      return;
    }
    const dayFloor = Math.floor(t / DAY_MS);
    const slot = Math.min(DAY_SLOTS - 1, Math.floor(((t - dayFloor * DAY_MS) / DAY_MS) * DAY_SLOTS));
    const sd = this.slotDay as Int32Array;
    // Seasonal naive: the latest value in a slot is tomorrow's forecast for
    // it (rows closer than 5 minutes overwrite each other's slot).
    (this.slotValue as Float32Array)[slot] = x;
    sd[slot] = dayFloor & 0xffff;
  }

  /** Raw surprise of row (t, x): 1, 0, or NaN (no forecast / warming up). */
  raw(t: number, x: number): number {
    const f = this.forecast(t);
    let out = NaN;
    if (!Number.isNaN(f)) {
      const e = Math.abs(x - f);
      if (this.forecasts >= WARMUP_FORECASTS) out = e > this.sigmaK * this.scale.sigma(t) ? 1 : 0;
      this.scale.learn(t, e);
      this.forecasts++;
    }
    this.remember(t, x);
    return out;
  }
}
