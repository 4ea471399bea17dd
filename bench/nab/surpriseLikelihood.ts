/**
 * eddy's previous default streaming anomaly detector ("surprise
 * likelihood", the wasm core's detector before issue 11), in plain
 * TypeScript: kept as the baseline that bench/nab/crossValidate.ts and
 * bench/nab/sensitivity.ts compare the ensemble (test/reference/detector.ts)
 * with. Not in the core any more.
 *
 * One pass, no look-ahead, O(1) work per row and constant memory per key;
 * the same settings for every series (nothing reads the series' length or
 * labels). Every stage maps onto blocks the wasm core has or can have cheaply
 * (last value, time-bucket tables as in Holt-Winters' time-of-season slots,
 * EW/Welford moments, a 10-row ring, NAB's anomaly likelihood, min/max,
 * a cool-down counter).
 *
 * Pipeline, per row (t, x):
 *
 * 1. Two forecasters, each predicting x before seeing it:
 *    - `last`: the previous value (random walk). Catches sudden changes
 *      (spikes, steps) in series with no usable seasonality.
 *    - `seasonal`: the value in the same 5-minute slot of the week one week
 *      ago (seasonal naive over a 2016-slot week table holding each slot's
 *      last value and time); if that slot has no value from 0.5–1.5 weeks
 *      ago, the same time-of-day slot one day earlier (0.5–1.5 days ago).
 *      A week covers both daily and weekly cycles (business metrics,
 *      traffic, taxis), and the daily fallback gives seasonality from day
 *      two on and for rows closer together than a slot.
 * 2. Surprise per forecaster: z = |x − forecast| / σ, where σ² is the
 *    forecaster's own mean squared error for the current hour of day
 *    (24 time-of-day buckets, EW with α = max(0.01, 1/visits)); until the
 *    bucket has 10 visits, σ² is the forecaster's global EW mean square
 *    (α = max(0.01, 1/n)). Noise that depends on the time of day (counts,
 *    load, the artificial daily squares) would otherwise fire every morning.
 *    A row is a surprise for that forecaster if z > 3 (three-sigma rule).
 *    No z (→ no surprise) until the forecaster has made 10 forecasts.
 * 3. Anomaly likelihood per forecaster, as Numenta's HTM detector in NAB
 *    (nupic `AnomalyLikelihood`, defaults): average the 0/1 surprises over
 *    the last 10 rows; after a 288-row learning period fit a Gaussian to
 *    those averages (here with EW mean/variance, α = max(2/8641, 1/n) — the
 *    constant-memory analogue of nupic's 8640-row window — instead of a
 *    re-estimated window), floors mean ≥ 0.03 and variance ≥ 0.0003; after
 *    100 more rows report L = 1 − Q((avg − mean)/σ) (0.5 before). A red value
 *    (tail ≤ 1e-5) right after another red one is downgraded to 0.999, so a
 *    burst of surprises gives one strong score, at its start.
 *    Score = log(1.0000000001 − L) / log(1e-10) ∈ [0, 1] (0.5 ⇔ L = 0.99999).
 *    This turns "more 3σ misses than this series usually has" into a
 *    probability comparable across series, which is what lets one global
 *    threshold work for all of them.
 * 4. Novelty (NAB HTM's "spatial anomaly" rule): if x lies outside the
 *    all-time [min, max] widened by 5% of the range, the score is 1.
 * 5. Score = max over the above.
 * 6. Cool-down: after a score ≥ 0.5 (nupic's red zone), the next 10 rows —
 *    the likelihood's averaging window — are capped at 0.3 (yellow), so one
 *    event gives one alarm (only the earliest detection in a NAB window
 *    counts, and every extra detection outside a window costs).
 */
import { normalTail } from '../../test/reference/likelihood.js';

/** All settings, with the defaults used for the reported scores. */
export interface DetectorSettings {
  /** Surprise threshold in σ. */
  sigma: number;
  /** EW rate of the global error scale (used while an hour bucket is young). */
  scaleAlpha: number;
  /** Time-of-day buckets of the error scale. */
  scaleBuckets: number;
  /** EW rate of a bucket's error scale, per visit. */
  bucketAlpha: number;
  /** Visits before a bucket's scale is trusted. */
  bucketMinVisits: number;
  /** Forecasts before a forecaster's z is used. */
  warmupForecasts: number;
  /** Slots of the week table (2016 = 5-minute slots; a multiple of 7). */
  weekSlots: number;
  /** Likelihood: surprises averaged over this many rows. */
  averagingWindow: number;
  /** Likelihood: rows (per forecaster) before averages are collected. */
  learningPeriod: number;
  /** Likelihood: further rows before the likelihood is reported. */
  estimationSamples: number;
  /** Likelihood: EW rate of the averages' mean/variance (2/(8640+1) ≈ nupic's 8640-row window). */
  historyAlpha: number;
  /** Novelty tolerance, as a fraction of the all-time range (Infinity = off). */
  noveltyTolerance: number;
  /** Channels (for ablation studies; both on by default). */
  useLast: boolean;
  useSeasonal: boolean;
  /** Cool-down: score that triggers it, rows it lasts, cap during it. */
  alarmScore: number;
  coolDownRows: number;
  coolDownCap: number;
}

export const DEFAULT_SETTINGS: DetectorSettings = {
  sigma: 3,
  scaleAlpha: 0.01,
  scaleBuckets: 24,
  bucketAlpha: 0.01,
  bucketMinVisits: 10,
  warmupForecasts: 10,
  weekSlots: 2016,
  averagingWindow: 10,
  learningPeriod: 288,
  estimationSamples: 100,
  historyAlpha: 2 / 8641,
  noveltyTolerance: 0.05,
  useLast: true,
  useSeasonal: true,
  alarmScore: 0.5,
  coolDownRows: 10,
  coolDownCap: 0.3,
};

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** log(1.0000000001 − L) / log(1e-10), as nupic's computeLogLikelihood. */
const LOG_DENOM = -23.02585084720009;
const RED_TAIL = 1e-5; // nupic redThreshold 0.99999
const YELLOW_TAIL = 1e-3; // nupic yellowThreshold 0.999

function slotOf(t: number, periodMs: number, slots: number): number {
  let phase = t % periodMs;
  if (phase < 0) phase += periodMs;
  const s = Math.floor((phase / periodMs) * slots);
  return s >= slots ? slots - 1 : s;
}

/** Error scale and 3σ surprise test of one forecaster. */
class Surprise {
  private n = 0;
  private meanSq = 0;
  private readonly bucketSq: Float64Array;
  private readonly bucketVisits: Float64Array;
  constructor(private readonly cfg: DetectorSettings) {
    this.bucketSq = new Float64Array(cfg.scaleBuckets);
    this.bucketVisits = new Float64Array(cfg.scaleBuckets);
  }
  /** 1 if the error is a surprise, 0 if not, NaN while warming up. Updates the scale. */
  step(t: number, error: number): number {
    const c = this.cfg;
    const b = slotOf(t, DAY_MS, c.scaleBuckets);
    const visits = this.bucketVisits[b] as number;
    const variance = visits >= c.bucketMinVisits ? (this.bucketSq[b] as number) : this.meanSq;
    let out = NaN;
    if (this.n >= c.warmupForecasts) {
      const sd = Math.sqrt(variance);
      const z = sd > 0 ? Math.abs(error) / sd : error === 0 ? 0 : Infinity;
      out = z > c.sigma ? 1 : 0;
    }
    const e2 = error * error;
    this.n++;
    this.meanSq += Math.max(c.scaleAlpha, 1 / this.n) * (e2 - this.meanSq);
    this.bucketVisits[b] = visits + 1;
    this.bucketSq[b] = (this.bucketSq[b] as number) + Math.max(c.bucketAlpha, 1 / (visits + 1)) * (e2 - (this.bucketSq[b] as number));
    return out;
  }
}

/** NAB/nupic anomaly likelihood of a 0/1 surprise stream, with EW moments; returns the log score. */
class Likelihood {
  private readonly ring: Uint8Array;
  private head = 0;
  private filled = 0;
  private sum = 0;
  private it = 0;
  private n = 0;
  private mean = 0;
  private variance = 0;
  private prevRed = false;
  constructor(private readonly cfg: DetectorSettings) {
    this.ring = new Uint8Array(cfg.averagingWindow);
  }
  push(surprise: number): number {
    const c = this.cfg;
    if (this.filled === c.averagingWindow) this.sum -= this.ring[this.head] as number;
    else this.filled++;
    this.ring[this.head] = surprise;
    this.head = (this.head + 1) % c.averagingWindow;
    this.sum += surprise;
    const avg = this.sum / this.filled;

    let likelihood = 0.5;
    if (this.it >= c.learningPeriod + c.estimationSamples) {
      const mean = Math.max(this.mean, 0.03);
      const sd = Math.sqrt(Math.max(this.variance, 0.0003));
      let tail = avg >= mean ? normalTail((avg - mean) / sd) : 1 - normalTail((mean - avg) / sd);
      const red = tail <= RED_TAIL;
      if (red && this.prevRed) tail = YELLOW_TAIL;
      this.prevRed = red;
      likelihood = 1 - tail;
    }
    if (this.it >= c.learningPeriod) {
      this.n++;
      const a = Math.max(c.historyAlpha, 1 / this.n);
      const d = avg - this.mean;
      this.mean += a * d;
      this.variance = (1 - a) * (this.variance + a * d * d);
    }
    this.it++;
    return Math.log(1.0000000001 - likelihood) / LOG_DENOM;
  }
}

/** Forecaster + its surprise test + its likelihood. */
class Channel {
  readonly surprise: Surprise;
  readonly likelihood: Likelihood;
  constructor(cfg: DetectorSettings) {
    this.surprise = new Surprise(cfg);
    this.likelihood = new Likelihood(cfg);
  }
  /** Score of this channel for a forecast (NaN = none yet). */
  score(t: number, x: number, forecast: number): number {
    if (Number.isNaN(forecast)) return 0;
    const s = this.surprise.step(t, x - forecast);
    return Number.isNaN(s) ? 0 : this.likelihood.push(s);
  }
}

/** The detector for one key. */
export class SurpriseLikelihoodDetector {
  private readonly cfg: DetectorSettings;
  private last = NaN;
  /** Week table: last value seen in each slot, and its time (epoch ms; i32 minutes would do in wasm). */
  private readonly week: Float64Array;
  private readonly weekTime: Float64Array;
  private readonly daySlots: number;
  private readonly lastChannel: Channel;
  private readonly seasonalChannel: Channel;
  private min = Infinity;
  private max = -Infinity;
  private coolDown = 0;

  constructor(settings: Partial<DetectorSettings> = {}) {
    this.cfg = { ...DEFAULT_SETTINGS, ...settings };
    this.week = new Float64Array(this.cfg.weekSlots).fill(NaN);
    this.weekTime = new Float64Array(this.cfg.weekSlots).fill(-Infinity);
    this.daySlots = this.cfg.weekSlots / 7;
    this.lastChannel = new Channel(this.cfg);
    this.seasonalChannel = new Channel(this.cfg);
  }

  /** Scores row (t in epoch ms, x); returns a score in [0, 1]. */
  update(t: number, x: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(t)) return 0;
    const c = this.cfg;

    // 1. forecasts made before seeing x
    // The seasonal forecast is the slot's value from one week ago (written
    // between half a week and a week and a half ago); failing that (first
    // week, gaps, or a slot already rewritten this week because rows are
    // closer than a slot), the same slot one day earlier (written between
    // half a day and a day and a half ago); failing that, none.
    const slot = slotOf(t, WEEK_MS, c.weekSlots);
    const age = t - (this.weekTime[slot] as number);
    let seasonal = age > WEEK_MS / 2 && age < 1.5 * WEEK_MS ? (this.week[slot] as number) : NaN;
    if (Number.isNaN(seasonal)) {
      const yesterday = Math.floor((slot - this.daySlots + c.weekSlots) % c.weekSlots);
      const dayAge = t - (this.weekTime[yesterday] as number);
      seasonal = dayAge > DAY_MS / 2 && dayAge < 1.5 * DAY_MS ? (this.week[yesterday] as number) : NaN;
    }

    // 2–3. surprise → likelihood, per forecaster
    let score = 0;
    if (c.useLast) score = Math.max(score, this.lastChannel.score(t, x, this.last));
    if (c.useSeasonal) score = Math.max(score, this.seasonalChannel.score(t, x, seasonal));

    // 4. novelty beyond the all-time range
    if (this.min < this.max) {
      const tol = (this.max - this.min) * c.noveltyTolerance;
      if (x > this.max + tol || x < this.min - tol) score = 1;
    }
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;

    this.last = x;
    this.week[slot] = x;
    this.weekTime[slot] = t;

    // 6. cool-down after an alarm
    if (this.coolDown > 0) {
      this.coolDown--;
      return Math.min(score, c.coolDownCap);
    }
    if (score >= c.alarmScore) this.coolDown = c.coolDownRows;
    return score;
  }
}
