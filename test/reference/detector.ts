/**
 * Reference implementation of eddy's default anomaly detector (the wasm
 * core's assembly/detector.ts computes exactly this, with the same f32
 * rounding where the core stores f32; test/core/detector.test.ts and
 * bench/nab.ts hold the core to it). Designed as the issue-11 prototype in
 * plain TypeScript, independently of the wasm code: an ensemble of independent,
 * published detectors, each turned into a calibrated probability by its own
 * Numenta anomaly likelihood, combined by Fisher's method, gated by a
 * warm-up, with one shared cool-down.
 *
 * Per row (t, x), for one key:
 * 1. Non-finite t or x: score 0, nothing learnt.
 * 2. The all-time [min, max] is widened to include x (shared by the
 *    components that bin values, and by the novelty rule, which tests x
 *    against the range *before* x).
 * 3. Components, each with its own state, each giving a raw anomaly in
 *    [0, 1] or NaN ("no opinion": no forecast for this row, or warming up):
 *    - `last`: forecast-error surprise against the previous value;
 *    - `daily`: forecast-error surprise against the same 5-minute slot of
 *      the previous day (event time);
 *    - `weekly`: forecast-error surprise against the same hour of the
 *      previous week's hourly mean (event time);
 *    - `entropy`: windowed relative entropy (Wang et al. 2011).
 *    (A fifth, contextual sequence novelty, was tried and dropped.)
 * 4. Each raw value is fed to that component's anomaly likelihood
 *    (likelihood.ts, nupic defaults) → L_i. Components with no opinion this
 *    row are left out of step 5 (their likelihood is not advanced).
 * 5. Combination (`fisher`, the chosen design): with p_i = 1.0000000001 − L_i
 *    (the tail probability each likelihood reports) over the k components
 *    with an opinion, X = −2 Σ ln p_i is χ² with 2k degrees of freedom if the
 *    components are independent and calm (Fisher's method), so
 *    L = 1 − P(χ²_{2k} > X) with P(χ²_{2k} > x) = e^{−x/2} Σ_{j<k} (x/2)^j/j!,
 *    score = logScore(L) = ln(1.0000000001 − L)/ln(1e-10), capped to [0, 1].
 *    With k = 4: one component alone at nupic's red level (p = 1e-5), the
 *    others calm (p ≈ 0.5–0.96), gives ≈ 0.25–0.32; 0.5 needs one component
 *    at p ≲ 1e-8 or two agreeing at red; p = 1e-10 alone gives ≈ 0.67. Alternatives kept for ablation: `max` (max_i logScore(L_i), as
 *    today's detector) and `or` (Σ_i logScore(L_i), i.e. 1 − L = Π p_i).
 * 6. Spatial novelty (NAB HTM detector's rule, spatial tolerance 0.05): x
 *    beyond the all-time [min, max] (before x) widened by 5 % of its width
 *    → score 1.
 * 7. Warm-up (`day`): the score is exactly 0 until the first likelihood
 *    reports, i.e. until its learning period — one day of event time or
 *    288 rows, whichever comes first (nupic's 288 rows are one day of
 *    5-minute rows) — and 100 estimation rows (nupic) have passed, counted
 *    from the first forecast (row 11), and that likelihood has at least one
 *    day of event time behind it (WARMUP_MIN_MS: a series sampled faster
 *    than every ~3.6 minutes would otherwise be scored before its daily
 *    rhythm was seen once; at 5-minute or slower spacing the row count is
 *    the longer of the two, so NAB's files are unaffected). 5-minute rows:
 *    398 rows; hourly rows: 135 rows; 1-minute rows: 1,451 rows.
 *    `rows` (ablation only): learn for warmupRows − 100 rows.
 * 8. Cool-down: after a score ≥ 0.5 (nupic's red level) the next
 *    `coolDownRows` rows are capped at 0.3, so one event raises one alarm
 *    (only the earliest detection in a NAB window counts; every extra
 *    detection outside one costs).
 *
 * Tuned by leave-one-category-out CV (bench/nab/crossValidate.ts), grid
 * 3 × 2 × 3 × 2: `sigma` {3, 2.5, 3.5}, `scaleAlpha` {0.01, 0.05},
 * `coolDownRows` {10, 30, 100}, `entropyCTh` {4, 1}. Everything else is a
 * literature default or a fixed design constant (see each component).
 *
 * State per key with the chosen components (bytes as the wasm would store
 * them): header 32 (rows, min, max, coolDown: 4 × f64; the warm flag fits in
 * rows' spare bits or a byte of padding) + last 176 + daily 1896 + weekly 1032
 * + entropy 304 + 4 likelihoods × 112 = 3888 B.
 */
import { DAY_MS, ForecastError } from './forecastError.js';

/** Least event time a likelihood has seen before the warm-up ends: one day. */
export const WARMUP_MIN_MS = DAY_MS;
import { ESTIMATION_SAMPLES, LEARNING_PERIOD, LIKELIHOOD_BYTES, LIKELIHOOD_WARMUP, Likelihood, logScore } from './likelihood.js';
import { RelativeEntropy } from './relativeEntropy.js';

export { normalTail } from './likelihood.js';

/** The design and tuned constants of one ensemble. */
export interface EnsembleSettings {
  /** Forecast-error surprise threshold in σ (CV-tuned). */
  sigma: number;
  /** Floor of the forecast-error scales' EW rates (CV-tuned). */
  scaleAlpha: number;
  /** Rows capped after an alarm (CV-tuned). */
  coolDownRows: number;
  /** Components in use. */
  last: boolean;
  daily: boolean;
  weekly: boolean;
  entropy: boolean;
  /** Relative entropy's c_th (4 = Wang et al.; 1 = only unmatched windows are anomalous). */
  entropyCTh: number;
  /** NAB HTM spatial-novelty rule on/off. */
  novelty: boolean;
  /** How component likelihoods are combined. */
  combine: 'max' | 'or' | 'fisher';
  /**
   * Warm-up: 'day' — each likelihood learns for one day of event time or 288
   * rows, whichever comes first, then estimates for 100 rows; 'rows' — the
   * likelihoods learn for warmupRows − 100 rows and estimate for 100.
   * The score is exactly 0 until the first likelihood reports.
   */
  warmup: 'day' | 'rows';
  warmupRows: number;
}

export const DEFAULT_ENSEMBLE: EnsembleSettings = {
  sigma: 3,
  scaleAlpha: 0.01,
  coolDownRows: 10,
  last: true,
  daily: true,
  weekly: true,
  entropy: true,
  entropyCTh: 4,
  novelty: true,
  combine: 'fisher',
  warmup: 'day',
  warmupRows: LIKELIHOOD_WARMUP,
};

const NOVELTY_TOLERANCE = 0.05;
const ALARM = 0.5;
const COOL_CAP = 0.3;

/** Upper tail of χ² with an even number of degrees of freedom 2k: e^{−x/2} Σ_{j<k} (x/2)^j / j!. */
export function chiSquareTail(x: number, dof: number): number {
  const h = x / 2;
  let term = Math.exp(-h);
  let sum = term;
  for (let j = 1; j < dof / 2; j++) {
    term *= h / j;
    sum += term;
  }
  return Math.min(1, sum);
}

type Raw = (t: number, x: number, lo: number, hi: number) => number;

/** The ensemble detector for one key. */
export class EnsembleDetector {
  readonly cfg: EnsembleSettings;
  /** Bytes of per-key state as the wasm core would store it. */
  readonly stateBytes: number;
  private readonly raws: Raw[] = [];
  private readonly liks: Likelihood[] = [];
  private min = Infinity;
  private max = -Infinity;
  private coolDown = 0;
  private warm = false;
  /** Per-component log scores of the last row (diagnostics, not state). */
  readonly componentScores: number[] = [];

  constructor(settings: Partial<EnsembleSettings> = {}) {
    const c = (this.cfg = { ...DEFAULT_ENSEMBLE, ...settings });
    const fe = { sigma: c.sigma, scaleAlpha: c.scaleAlpha };
    // Header: rows, min, max, coolDown (4 × f64).
    let bytes = 32;
    const add = (raw: Raw, b: number) => {
      this.raws.push(raw);
      this.liks.push(
        c.warmup === 'day'
          ? new Likelihood(LEARNING_PERIOD, ESTIMATION_SAMPLES, DAY_MS)
          : new Likelihood(Math.max(0, c.warmupRows - ESTIMATION_SAMPLES), Math.min(c.warmupRows, ESTIMATION_SAMPLES)),
      );
      bytes += b + LIKELIHOOD_BYTES;
    };
    if (c.last) {
      const f = new ForecastError('last', fe);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.daily) {
      const f = new ForecastError('daily', fe);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.weekly) {
      const f = new ForecastError('weekly', fe);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.entropy) {
      const r = new RelativeEntropy(c.entropyCTh);
      add((_t, x, lo, hi) => r.raw(x, lo, hi), r.stateBytes);
    }
    this.stateBytes = bytes;
  }

  update(t: number, x: number): number {
    if (!Number.isFinite(t) || !Number.isFinite(x)) return 0;
    const c = this.cfg;
    const range = this.max - this.min;
    const novel = this.min <= this.max && (x > this.max + NOVELTY_TOLERANCE * range || x < this.min - NOVELTY_TOLERANCE * range);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    let score = 0;
    let fisher = 0;
    let k = 0;
    for (let i = 0; i < this.raws.length; i++) {
      const r = (this.raws[i] as Raw)(t, x, this.min, this.max);
      const l = Number.isNaN(r) ? 0.5 : (this.liks[i] as Likelihood).push(r, t);
      const s = logScore(l);
      this.componentScores[i] = s;
      score = c.combine === 'max' ? Math.max(score, s) : score + s;
      if (!Number.isNaN(r)) {
        fisher += -2 * Math.log(1.0000000001 - l);
        k++;
      }
    }
    if (c.combine === 'fisher') score = k > 0 ? logScore(1 - chiSquareTail(fisher, 2 * k)) : 0;
    if (score > 1) score = 1;
    if (c.novelty && novel) score = 1;
    if (!this.warm) {
      // a likelihood has reported and has a day of event time behind it (a daily rhythm seen once)
      for (const l of this.liks) if (l.ready && (c.warmup !== 'day' || l.sinceFirst(t) >= WARMUP_MIN_MS)) this.warm = true;
      if (!this.warm) return 0;
    }
    if (this.coolDown > 0) {
      this.coolDown--;
      return Math.min(score, COOL_CAP);
    }
    if (score >= ALARM) this.coolDown = c.coolDownRows;
    return score;
  }
}
