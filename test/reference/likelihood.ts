/**
 * Numenta's anomaly likelihood (Ahmad, Lavin, Purdy, Agha 2017, "Unsupervised
 * real-time anomaly detection for streaming data", §"Computing anomaly
 * likelihood"; nupic `AnomalyLikelihood` defaults), in constant memory.
 *
 * Input: one raw anomaly value a ∈ [0, 1] per row (here: a 0/1 surprise or a
 * component's novelty). It keeps the mean of the last W = 10 raw values
 * ("short-term average"); after a learning period of 288 rows it fits a
 * Gaussian to those averages, with exponentially weighted mean/variance of
 * rate α = max(2/(8640+1), 1/n) — the constant-memory stand-in for nupic's
 * 8640-row history window (an EW average of span N has α = 2/(N+1)); after
 * 100 more rows (nupic's estimation samples) it reports
 *   L = 1 − Q((avg − μ)/σ),  μ ≥ 0.03, σ² ≥ 0.0003 (nupic's floors),
 * and, as nupic does, a red value (tail ≤ 1e-5) right after a red value is
 * downgraded to 0.999 so that a burst reports strongly only once.
 * The score is nupic's log-likelihood: log(1.0000000001 − L)/log(1e-10) ∈ [0, 1]
 * (0.5 ⇔ L = 0.99999, nupic's "red" level).
 *
 * The learning period can also end in event time: with `learningDayMs` set
 * (the ensemble uses one day), learning ends at the first row that is at
 * least a day after the first row pushed, or after 288 rows, whichever is
 * first — nupic's 288 rows are one day of 5-minute rows, so this keeps its
 * meaning for hourly or daily series.
 *
 * All constants here are nupic's published defaults: none is tuned.
 *
 * State (as the wasm would store it): ring 10 × f32 (40 B) + head, filled
 * (2 × u8, padded to 8 B) + sum, rows, n, mean, variance (5 × f64, 40 B) +
 * prevRed (u8, padded to 8 B) + first time, row where learning ended
 * (2 × f64, 16 B) = 112 B.
 */
/** Standard normal upper tail Q(z) (erfc: series for small z, continued fraction for large). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  const x = z / Math.SQRT2;
  if (x < 2) {
    // erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), all terms positive
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 0.5 - (Math.exp(-x * x) * sum) / Math.sqrt(Math.PI);
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) — modified Lentz
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (0.5 * Math.exp(-x * x)) / (f * Math.sqrt(Math.PI));
}

/** nupic AnomalyLikelihood defaults. */
export const AVERAGING_WINDOW = 10;
export const LEARNING_PERIOD = 288;
export const ESTIMATION_SAMPLES = 100;
export const HISTORIC_WINDOW = 8640;
/** Rows before the likelihood says anything but 0.5. */
export const LIKELIHOOD_WARMUP = LEARNING_PERIOD + ESTIMATION_SAMPLES;

const LOG_DENOM = Math.log(1e-10);
const RED_TAIL = 1e-5;
const YELLOW_TAIL = 1e-3;

/** Bytes of one Likelihood as the wasm core would store it. */
export const LIKELIHOOD_BYTES = 112;

/** Log score of a likelihood L (nupic computeLogLikelihood). */
export function logScore(likelihood: number): number {
  return Math.log(1.0000000001 - likelihood) / LOG_DENOM;
}

/** Anomaly likelihood of one raw anomaly stream. */
export class Likelihood {
  readonly stateBytes = LIKELIHOOD_BYTES;
  private readonly ring = new Float32Array(AVERAGING_WINDOW);
  private head = 0;
  private filled = 0;
  private sum = 0;
  private rows = 0;
  private n = 0;
  private mean = 0;
  private variance = 0;
  private prevRed = false;

  /**
   * `learningPeriod` rows are skipped before averages are collected and
   * `estimationSamples` more before a likelihood is reported (nupic: 288, 100).
   */
  /** Rows at which learning ended (−1 = still learning) and time of the first row. */
  private learnedAt = -1;
  private firstT = NaN;

  /**
   * `learningPeriod` rows are skipped before averages are collected and
   * `estimationSamples` more before a likelihood is reported (nupic: 288, 100).
   * With `learningDayMs` > 0 learning also ends once that much event time has
   * passed since the first row (nupic's 288 rows are one day of 5-minute rows).
   */
  constructor(
    private readonly learningPeriod: number = LEARNING_PERIOD,
    private readonly estimationSamples: number = ESTIMATION_SAMPLES,
    private readonly learningDayMs: number = 0,
  ) {}

  /** Event time since this likelihood's first row, in ms (NaN before it, or without times). */
  sinceFirst(t: number): number {
    return t - this.firstT;
  }

  /** True once a likelihood (not the learning-time 0.5) is reported. */
  get ready(): boolean {
    return this.learnedAt >= 0 && this.rows >= this.learnedAt + this.estimationSamples;
  }

  /** Feed one raw value; returns the likelihood L ∈ [0, 1] (0.5 while learning). */
  push(raw: number, t: number = NaN): number {
    if (Number.isNaN(this.firstT)) this.firstT = t;
    if (this.learnedAt < 0 && (this.rows >= this.learningPeriod || (this.learningDayMs > 0 && t - this.firstT >= this.learningDayMs))) {
      this.learnedAt = this.rows;
    }
    const a = Math.fround(raw);
    if (this.filled === AVERAGING_WINDOW) this.sum -= this.ring[this.head] as number;
    else this.filled++;
    this.ring[this.head] = a;
    this.head = (this.head + 1) % AVERAGING_WINDOW;
    this.sum += a;
    // A running sum of values in [0, 1] drifts only by rounding; it is
    // clamped at 0 so that it can never go negative.
    if (this.sum < 0) this.sum = 0;
    const avg = this.sum / this.filled;

    let likelihood = 0.5;
    if (this.ready) {
      const mean = Math.max(this.mean, 0.03);
      const sd = Math.sqrt(Math.max(this.variance, 0.0003));
      let tail = avg >= mean ? normalTail((avg - mean) / sd) : 1 - normalTail((mean - avg) / sd);
      const red = tail <= RED_TAIL;
      if (red && this.prevRed) tail = YELLOW_TAIL;
      this.prevRed = red;
      likelihood = 1 - tail;
    }
    if (this.learnedAt >= 0) {
      this.n++;
      const alpha = Math.max(2 / (HISTORIC_WINDOW + 1), 1 / this.n);
      const d = avg - this.mean;
      this.mean += alpha * d;
      this.variance = (1 - alpha) * (this.variance + alpha * d * d);
    }
    this.rows++;
    return likelihood;
  }
}
