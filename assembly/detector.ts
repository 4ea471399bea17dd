/**
 * eddy's default anomaly score ("surprise likelihood"): a per-row score in
 * [0, 1], one pass, no look-ahead, constant memory per key, the same
 * settings for every series. Its plain TypeScript reference, with the design
 * notes, is test/reference/detector.ts; bench/nab.ts scores it on NAB.
 *
 * Per row (t, x) of a key:
 *  1. two forecasts made before seeing x: the previous value, and the value
 *     of the same 5-minute slot of the week one week ago (0.5–1.5 weeks), else
 *     of the same slot one day ago (0.5–1.5 days), else none;
 *  2. per forecast, a surprise: |error| > 3σ, σ² the forecast's own mean
 *     squared error for the hour of day (24 buckets, EW rate max(0.01, 1/visits),
 *     the global EW mean square until a bucket has 10 visits); none before 10
 *     forecasts;
 *  3. per forecast, Numenta's anomaly likelihood of the 0/1 surprises: the
 *     average over the last 10 rows against a Gaussian of past averages (EW,
 *     rate max(2/8641, 1/n), after a 288-row learning period; mean ≥ 0.03,
 *     variance ≥ 0.0003), reported after 100 more rows; a red value right
 *     after a red one is downgraded to 0.999; score = log(1.0000000001 − L)/log(1e-10);
 *  4. novelty: x beyond the all-time [min, max] widened by 5% of the range scores 1;
 *  5. score = max of the above;
 *  6. cool-down: after a score ≥ 0.5 the next 10 rows are capped at 0.3.
 *
 * Per-key block (KeyedBlocks), all f64:
 *
 * ┌──────┬──────┬─────┬─────┬──────────┬──────────────────────┬──────────────────────┬──────────────────────────────┐
 * │ rows │ last │ min │ max │ coolDown │ channel 0 (last)     │ channel 1 (seasonal) │ week: 2016 × (value, time)   │
 * └──────┴──────┴─────┴─────┴──────────┴──────────────────────┴──────────────────────┴──────────────────────────────┘
 *   0      8      16    24    32         40                     40 + CH               40 + 2·CH
 *
 * channel: n · meanSq · bucketSq[24] · bucketVisits[24] │ ring[10] · head · filled · sum · it · n · mean · variance · prevRed
 * (33,384 bytes per key, nearly all the week table.)
 */
import { KeyedBlocks } from "./keyed";
import { Writer, Reader } from "./serial";

const SIGMA: f64 = 3;
const SCALE_ALPHA: f64 = 0.01;
const BUCKETS: i32 = 24;
const BUCKET_ALPHA: f64 = 0.01;
const BUCKET_MIN_VISITS: f64 = 10;
const WARMUP_FORECASTS: f64 = 10;
const WEEK_SLOTS: i32 = 2016;
const DAY_SLOTS: i32 = WEEK_SLOTS / 7;
const AVERAGING: i32 = 10;
const LEARNING: f64 = 288;
const ESTIMATION: f64 = 100;
const HISTORY_ALPHA: f64 = 2.0 / 8641.0;
const NOVELTY: f64 = 0.05;
const ALARM: f64 = 0.5;
const COOL_ROWS: f64 = 10;
const COOL_CAP: f64 = 0.3;
const DAY_MS: f64 = 86400000;
const WEEK_MS: f64 = 7 * DAY_MS;
const LOG_DENOM: f64 = -23.02585084720009; // log(1e-10)
const RED_TAIL: f64 = 1e-5;
const YELLOW_TAIL: f64 = 1e-3;

// key block
const D_ROWS: usize = 0;
const D_LAST: usize = 8;
const D_MIN: usize = 16;
const D_MAX: usize = 24;
const D_COOL: usize = 32;
const D_CHANNELS: usize = 40;
// channel: surprise scale, then likelihood
const C_N: usize = 0;
const C_MEANSQ: usize = 8;
const C_BUCKET_SQ: usize = 16;
const C_BUCKET_VISITS: usize = C_BUCKET_SQ + <usize>BUCKETS * 8;
const C_RING: usize = C_BUCKET_VISITS + <usize>BUCKETS * 8;
const C_HEAD: usize = C_RING + <usize>AVERAGING * 8;
const C_FILLED: usize = C_HEAD + 8;
const C_SUM: usize = C_FILLED + 8;
const C_IT: usize = C_SUM + 8;
const C_LN: usize = C_IT + 8;
const C_MEAN: usize = C_LN + 8;
const C_VAR: usize = C_MEAN + 8;
const C_PREV_RED: usize = C_VAR + 8;
const CH_BYTES: usize = C_PREV_RED + 8;
const D_WEEK: usize = D_CHANNELS + 2 * CH_BYTES;
const BLOCK_BYTES: usize = D_WEEK + <usize>WEEK_SLOTS * 16;

/** Standard normal upper tail Q(z): erf series for small z, erfc continued fraction (modified Lentz) for large. */
export function normalTail(z: f64): f64 {
  if (z < 0) return 1 - normalTail(-z);
  const x = z / Math.SQRT2;
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / <f64>(2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 0.5 - (Math.exp(-x * x) * sum) / Math.sqrt(Math.PI);
  }
  const tiny: f64 = 1e-300;
  let f = x;
  let c = x;
  let d: f64 = 0;
  for (let n = 1; n < 300; n++) {
    const a = <f64>n / 2;
    d = x + a * d;
    d = d == 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c == 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (0.5 * Math.exp(-x * x)) / (f * Math.sqrt(Math.PI));
}

@inline function slotOf(t: f64, periodMs: f64, slots: i32): i32 {
  let phase = t % periodMs;
  if (phase < 0) phase += periodMs;
  const s = <i32>Math.floor((phase / periodMs) * <f64>slots);
  return s >= slots ? slots - 1 : s < 0 ? 0 : s;
}

/** Surprise test of one channel: 1, 0, or NaN while warming up; updates the error scale. */
function surprise(ch: usize, t: f64, error: f64): f64 {
  const b = slotOf(t, DAY_MS, BUCKETS);
  const sqAt = ch + C_BUCKET_SQ + (<usize>b << 3);
  const visitsAt = ch + C_BUCKET_VISITS + (<usize>b << 3);
  const visits = load<f64>(visitsAt);
  const meanSq = load<f64>(ch, C_MEANSQ);
  const variance = visits >= BUCKET_MIN_VISITS ? load<f64>(sqAt) : meanSq;
  const n = load<f64>(ch, C_N);
  let out: f64 = NaN;
  if (n >= WARMUP_FORECASTS) {
    const sd = Math.sqrt(variance);
    const z = sd > 0 ? Math.abs(error) / sd : error == 0 ? 0 : Infinity;
    out = z > SIGMA ? 1 : 0;
  }
  const e2 = error * error;
  const n1 = n + 1;
  store<f64>(ch, n1, C_N);
  store<f64>(ch, meanSq + Math.max(SCALE_ALPHA, 1 / n1) * (e2 - meanSq), C_MEANSQ);
  store<f64>(visitsAt, visits + 1);
  const sq = load<f64>(sqAt);
  store<f64>(sqAt, sq + Math.max(BUCKET_ALPHA, 1 / (visits + 1)) * (e2 - sq));
  return out;
}

/** Anomaly likelihood of one channel's 0/1 surprise stream; returns the log score. */
function likelihood(ch: usize, s: f64): f64 {
  let head = <i32>load<f64>(ch, C_HEAD);
  let filled = load<f64>(ch, C_FILLED);
  let sum = load<f64>(ch, C_SUM);
  if (head < 0 || head >= AVERAGING) head = 0; // a corrupt restored block cannot index outside it
  const at = ch + C_RING + (<usize>head << 3);
  if (filled == <f64>AVERAGING) sum -= load<f64>(at);
  else filled++;
  store<f64>(at, s);
  head = head + 1 == AVERAGING ? 0 : head + 1;
  sum += s;
  const avg = sum / filled;
  store<f64>(ch, <f64>head, C_HEAD);
  store<f64>(ch, filled, C_FILLED);
  store<f64>(ch, sum, C_SUM);

  const it = load<f64>(ch, C_IT);
  let l: f64 = 0.5;
  if (it >= LEARNING + ESTIMATION) {
    const mean = Math.max(load<f64>(ch, C_MEAN), 0.03);
    const sd = Math.sqrt(Math.max(load<f64>(ch, C_VAR), 0.0003));
    let tail = avg >= mean ? normalTail((avg - mean) / sd) : 1 - normalTail((mean - avg) / sd);
    const red = tail <= RED_TAIL;
    if (red && load<f64>(ch, C_PREV_RED) != 0) tail = YELLOW_TAIL;
    store<f64>(ch, red ? 1 : 0, C_PREV_RED);
    l = 1 - tail;
  }
  if (it >= LEARNING) {
    const n = load<f64>(ch, C_LN) + 1;
    const a = Math.max(HISTORY_ALPHA, 1 / n);
    const mean = load<f64>(ch, C_MEAN);
    const d = avg - mean;
    store<f64>(ch, n, C_LN);
    store<f64>(ch, mean + a * d, C_MEAN);
    store<f64>(ch, (1 - a) * (load<f64>(ch, C_VAR) + a * d * d), C_VAR);
  }
  store<f64>(ch, it + 1, C_IT);
  return Math.log(1.0000000001 - l) / LOG_DENOM;
}

/** Score of one channel for a forecast (0 while there is none or while warming up). */
@inline function channelScore(ch: usize, t: f64, x: f64, forecast: f64): f64 {
  if (!(forecast == forecast)) return 0;
  const s = surprise(ch, t, x - forecast);
  return s == s ? likelihood(ch, s) : 0;
}

export class Detector {
  enabled: bool = false;
  blocks: KeyedBlocks = new KeyedBlocks();

  constructor() {
    this.blocks.configure(BLOCK_BYTES);
  }

  /** Empties per-key state. */
  resetState(): void {
    this.blocks.configure(BLOCK_BYTES);
  }

  /** Frees per-key blocks. */
  free(): void {
    this.blocks.reset();
  }

  /** Scores row (t in epoch ms, x) of key k; returns a score in [0, 1]. */
  step(k: i32, t: f64, x: f64): f64 {
    const b = this.blocks.block(k);
    if (load<f64>(b, D_ROWS) == 0) {
      // first row of the key: "nothing seen" is NaN / ±∞, not the zeroed block
      store<f64>(b, NaN, D_LAST);
      store<f64>(b, Infinity, D_MIN);
      store<f64>(b, -Infinity, D_MAX);
      for (let s = 0; s < WEEK_SLOTS; s++) {
        store<f64>(b + D_WEEK + (<usize>s << 4), NaN);
        store<f64>(b + D_WEEK + (<usize>s << 4), -Infinity, 8);
      }
    }
    store<f64>(b, load<f64>(b, D_ROWS) + 1, D_ROWS);

    // 1. forecasts made before seeing x
    const slot = slotOf(t, WEEK_MS, WEEK_SLOTS);
    const slotAt = b + D_WEEK + (<usize>slot << 4);
    const age = t - load<f64>(slotAt, 8);
    let seasonal: f64 = age > WEEK_MS / 2 && age < 1.5 * WEEK_MS ? load<f64>(slotAt) : NaN;
    if (!(seasonal == seasonal)) {
      const yesterday = (slot - DAY_SLOTS + WEEK_SLOTS) % WEEK_SLOTS;
      const dayAt = b + D_WEEK + (<usize>yesterday << 4);
      const dayAge = t - load<f64>(dayAt, 8);
      seasonal = dayAge > DAY_MS / 2 && dayAge < 1.5 * DAY_MS ? load<f64>(dayAt) : NaN;
    }

    // 2–3. surprise → likelihood, per forecast
    let score: f64 = 0;
    score = Math.max(score, channelScore(b + D_CHANNELS, t, x, load<f64>(b, D_LAST)));
    score = Math.max(score, channelScore(b + D_CHANNELS + CH_BYTES, t, x, seasonal));

    // 4. novelty beyond the all-time range
    const lo = load<f64>(b, D_MIN);
    const hi = load<f64>(b, D_MAX);
    if (lo < hi) {
      const tol = (hi - lo) * NOVELTY;
      if (x > hi + tol || x < lo - tol) score = 1;
    }
    if (x < lo) store<f64>(b, x, D_MIN);
    if (x > hi) store<f64>(b, x, D_MAX);

    store<f64>(b, x, D_LAST);
    store<f64>(slotAt, x);
    store<f64>(slotAt, t, 8);

    // 6. cool-down after an alarm
    const cool = load<f64>(b, D_COOL);
    if (cool > 0) {
      store<f64>(b, cool - 1, D_COOL);
      return Math.min(score, COOL_CAP);
    }
    if (score >= ALARM) store<f64>(b, COOL_ROWS, D_COOL);
    return score;
  }

  /** Writes whether it is on, and its per-key state. */
  save(w: Writer): void {
    w.i32(this.enabled ? 1 : 0);
    this.blocks.save(w);
  }

  /** Upper bound of save()'s bytes. */
  saveBound(): f64 {
    return 4 + this.blocks.saveBound();
  }

  /** Reads what save() wrote. */
  load(r: Reader): bool {
    this.enabled = r.i32() != 0;
    return r.ok && this.blocks.load(r);
  }
}
