/**
 * Forecast-error surprise: the raw input of a Numenta-style anomaly
 * likelihood when the model is a plain forecaster instead of HTM.
 *
 * Per row (t, x): forecast x̂ before seeing x; error e = x − x̂; the row is a
 * surprise (raw 1) if |e| > k·σ̂, else raw 0 (k = `sigma`, 3 by default: the
 * three-sigma rule; CV grid {3, 2.5, 3.5}). σ̂ is the forecaster's own RMS
 * error, kept per hour of day (24 buckets in event time, so series whose
 * noise follows the daily rhythm — counts, load — are judged against that
 * hour's noise), each an EW mean of e² with rate max(`scaleAlpha`, 1/visits)
 * (0.01 by default, CV grid {0.01, 0.05}), falling back to the global EW mean
 * of e² (rate max(`scaleAlpha`, 1/n)) while the bucket has < 10 visits.
 * If σ̂ = 0 (a constant stretch), any nonzero error is a surprise.
 *
 * Forecasters (one instance each, independent state):
 * - `last`: x̂ = previous value (random walk). Sudden steps and spikes.
 * - `daily`: x̂ = the value in the same 5-minute slot of the day one day
 *   earlier (seasonal naive, period one day, event time): 288 slots of
 *   f32 value + u16 day number; no forecast unless the slot was written on
 *   the previous calendar day (UTC). Catches a daily shape that changes or
 *   disappears (flat middle, dropped cycle).
 * - `weekly`: x̂ = the mean of the same hour of the week one week earlier:
 *   168 slots of f32 hourly mean + u8 week number, filled from a running
 *   sum/count of the current hour; no forecast unless the slot was written in
 *   the previous week. An hourly mean has about 1/12 of a single 5-minute
 *   value's noise, which suits noisy counts, and it carries the weekday
 *   rhythm (weekends) that a daily forecaster cannot.
 * A forecaster with no forecast for a row gives raw NaN ("no opinion"), and
 * raw is NaN for its first 10 forecasts (σ̂ is not yet meaningful).
 *
 * Fixed, untuned design constants: 24 hour buckets, 10 visits, 10 forecasts,
 * 288 day slots, 168 week slots.
 *
 * State (bytes as the wasm core would store them), every forecaster: error
 * scale = global mean square + n (2 × f64 = 16) + 24 × (f32 mean square +
 * u16 visits) = 144 → 160 B, forecasts made (f64, 8 B).
 * - `last`: + last value (f64, 8) = 176 B.
 * - `daily`: + 288 × (f32 + u16) = 1728 → 1896 B.
 * - `weekly`: + 168 × (f32 + u8) = 840 + current hour, sum, count (3 × f64 =
 *   24) → 1032 B.
 */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * DAY_MS;
const HOUR_BUCKETS = 24;
const MIN_VISITS = 10;
const WARMUP_FORECASTS = 10;
const DAY_SLOTS = 288;
const WEEK_SLOTS = 168;

/** Which forecaster a component uses. */
export type ForecasterKind = 'last' | 'daily' | 'weekly';

/** Tunable constants of a forecast-error component. */
export interface ForecastErrorOptions {
  /** Surprise threshold in σ̂ (default 3). */
  sigma: number;
  /** Floor of the EW rates of the error scale (default 0.01). */
  scaleAlpha: number;
}

export const DEFAULT_FORECAST_ERROR: ForecastErrorOptions = { sigma: 3, scaleAlpha: 0.01 };

/** Hour of day (0–23) of an epoch-ms time (UTC). */
export function hourOfDay(t: number): number {
  let p = t % DAY_MS;
  if (p < 0) p += DAY_MS;
  return Math.min(HOUR_BUCKETS - 1, Math.floor(p / HOUR_MS));
}

/**
 * 5-minute slot (0–287) of the UTC day of t. Clamped at 0 too: for |t| near
 * f64's limits t − ⌊t/day⌋·day can round below 0 (the wasm core clamps the
 * same way, so both stay inside the table).
 */
export function daySlot(t: number): number {
  return Math.max(0, Math.min(DAY_SLOTS - 1, Math.floor(((t - Math.floor(t / DAY_MS) * DAY_MS) / DAY_MS) * DAY_SLOTS)));
}

/** RMS forecast error per hour of day, with a global fallback. */
export class ErrorScale {
  static readonly BYTES = 16 + HOUR_BUCKETS * 6;
  private n = 0;
  private meanSq = 0;
  private readonly bucketSq = new Float32Array(HOUR_BUCKETS);
  private readonly visits = new Uint16Array(HOUR_BUCKETS);
  constructor(private readonly alpha: number) {}
  /** σ̂ for time t (before this row's error is learnt). */
  sigma(t: number): number {
    const b = hourOfDay(t);
    return Math.sqrt((this.visits[b] as number) >= MIN_VISITS ? (this.bucketSq[b] as number) : this.meanSq);
  }
  /** Learn one error at time t. */
  learn(t: number, error: number): void {
    const e2 = error * error;
    const b = hourOfDay(t);
    this.n++;
    this.meanSq += Math.max(this.alpha, 1 / this.n) * (e2 - this.meanSq);
    const v = Math.min((this.visits[b] as number) + 1, 65535);
    this.visits[b] = v;
    const bs = this.bucketSq[b] as number;
    this.bucketSq[b] = bs + Math.max(this.alpha, 1 / v) * (e2 - bs);
  }
}

/** Forecast-error surprise component. */
export class ForecastError {
  readonly stateBytes: number;
  private readonly scale: ErrorScale;
  private readonly sigmaK: number;
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

  constructor(
    readonly kind: ForecasterKind,
    options: Partial<ForecastErrorOptions> = {},
  ) {
    const o = { ...DEFAULT_FORECAST_ERROR, ...options };
    this.scale = new ErrorScale(o.scaleAlpha);
    this.sigmaK = o.sigma;
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
    const slot = daySlot(t);
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
    const slot = daySlot(t);
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
