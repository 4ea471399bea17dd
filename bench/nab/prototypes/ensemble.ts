/**
 * Prototype default detector for issue 11: an ensemble of independent,
 * published detectors, each turned into a calibrated probability by its own
 * Numenta anomaly likelihood, combined, gated by a warm-up and followed by
 * one shared cool-down.
 *
 * Per row (t, x), for one key:
 * 1. Non-finite t or x: score 0, nothing learnt.
 * 2. Components (each independent, each a raw anomaly in [0, 1] or NaN =
 *    "no opinion yet"):
 *    - `last`: forecast-error surprise against the previous value;
 *    - `daily`: forecast-error surprise against the same 5-minute slot
 *      yesterday (event time);
 *    - `entropy`: windowed relative entropy (Wang et al. 2011);
 *    - `context`: contextual sequence novelty (CAD OSE spirit).
 * 3. Each raw value goes through its own anomaly likelihood (likelihood.ts,
 *    nupic defaults) → L_i; a component with no opinion contributes L = 0.5.
 * 4. Combination of the L_i: `max` — score = max_i logScore(L_i); or `or` —
 *    probabilistic OR under independence, 1 − L = Π(1 − L_i), i.e. the sum
 *    of the log scores, capped at 1.
 * 5. Spatial novelty (NAB HTM detector's rule): x beyond the all-time
 *    [min, max] widened by 5 % of the range → score 1.
 * 6. Warm-up: score exactly 0 for the first WARMUP_ROWS = 388 rows of a key
 *    (the likelihood's learning period + estimation samples, nupic's 288 +
 *    100: before that no likelihood exists).
 * 7. Cool-down: after a score ≥ 0.5 (nupic's red level), the next
 *    `coolDownRows` rows are capped at 0.3, so one event raises one alarm.
 *
 * Tuned by leave-one-category-out CV (bench/nab/crossValidate.ts): SIGMA
 * (forecast-error surprise threshold) and COOL_ROWS; the component set and
 * the combination are design choices compared by cv_standard.
 */
import type { StreamingDetector } from '../harness.js';
import { ContextualNovelty } from './contextual.js';
import { DAY_MS, ForecastError } from './forecastError.js';
import { ESTIMATION_SAMPLES, LEARNING_PERIOD, LIKELIHOOD_BYTES, LIKELIHOOD_WARMUP, Likelihood, logScore } from './likelihood.js';
import { RelativeEntropy } from './relativeEntropy.js';

/** The design and tuned constants of one ensemble. */
export interface EnsembleSettings {
  /** Forecast-error surprise threshold in σ (CV-tuned). */
  sigma: number;
  /** Rows capped after an alarm (CV-tuned). */
  coolDownRows: number;
  /** Components in use. */
  last: boolean;
  daily: boolean;
  weekly: boolean;
  entropy: boolean;
  context: boolean;
  /** NAB HTM spatial-novelty rule on/off. */
  novelty: boolean;
  /** How component likelihoods are combined. */
  combine: 'max' | 'or';
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
  coolDownRows: 10,
  last: true,
  daily: true,
  weekly: false,
  entropy: true,
  context: true,
  novelty: true,
  combine: 'max',
  warmup: 'day',
  warmupRows: LIKELIHOOD_WARMUP,
};

export const WARMUP_ROWS = LIKELIHOOD_WARMUP;
const NOVELTY_TOLERANCE = 0.05;
const ALARM = 0.5;
const COOL_CAP = 0.3;

type Raw = (t: number, x: number, lo: number, hi: number) => number;

/** The ensemble detector for one key. */
export class EnsembleDetector implements StreamingDetector {
  readonly cfg: EnsembleSettings;
  /** Bytes of per-key state as the wasm core would store it. */
  readonly stateBytes: number;
  private readonly raws: Raw[] = [];
  private readonly liks: Likelihood[] = [];
  private rows = 0;
  private min = Infinity;
  private max = -Infinity;
  private coolDown = 0;
  private warm = false;

  constructor(settings: Partial<EnsembleSettings> = {}) {
    const c = (this.cfg = { ...DEFAULT_ENSEMBLE, ...settings });
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
      const f = new ForecastError('last', c.sigma);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.daily) {
      const f = new ForecastError('daily', c.sigma);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.weekly) {
      const f = new ForecastError('weekly', c.sigma);
      add((t, x) => f.raw(t, x), f.stateBytes);
    }
    if (c.entropy) {
      const r = new RelativeEntropy();
      add((_t, x, lo, hi) => r.raw(x, lo, hi), r.stateBytes);
    }
    if (c.context) {
      const r = new ContextualNovelty();
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
    for (let i = 0; i < this.raws.length; i++) {
      const r = (this.raws[i] as Raw)(t, x, this.min, this.max);
      const s = Number.isNaN(r) ? logScore(0.5) : logScore((this.liks[i] as Likelihood).push(r, t));
      score = c.combine === 'max' ? Math.max(score, s) : score + s;
    }
    if (score > 1) score = 1;
    if (c.novelty && novel) score = 1;
    this.rows++;
    if (!this.warm) {
      for (const l of this.liks) if (l.ready) this.warm = true;
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
