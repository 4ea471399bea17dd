/**
 * eddy's default anomaly score: a per-row score in [0, 1], one pass, no
 * look-ahead, O(1) work and 3888 bytes of state per key, the same settings
 * for every series. An ensemble of published detectors, each turned into a
 * calibrated probability by its own Numenta anomaly likelihood, combined by
 * Fisher's method. Its plain TypeScript reference, with the design notes, is
 * test/reference/detector.ts (+ likelihood.ts, forecastError.ts,
 * relativeEntropy.ts); bench/nab.ts scores this core on NAB and checks it
 * equals the reference.
 *
 * Per row (t in epoch ms, x) of a key:
 *  1. non-finite t or x: score 0, nothing learnt (the core rejects such rows
 *     before any stage; kept so the kernel is total);
 *  2. novelty: x beyond the all-time [min, max] (before x) widened by 5 % of
 *     its width; then [min, max] is widened to include x;
 *  3. four components, each giving a raw anomaly (0/1) or no opinion (NaN):
 *     - last: forecast = previous value;
 *     - daily: forecast = the same 5-minute slot (of 288) of the previous UTC
 *       day (f32 value + u16 day tag per slot);
 *     - weekly: forecast = the mean of the same hour of the week (of 168) of
 *       the previous week (f32 hourly mean + u8 week tag, filled from a
 *       running sum/count of the current hour when the next hour opens);
 *     each forecast's |error| against its own RMS scale σ̂ (global EW mean
 *     square, rate max(0.01, 1/n), or that hour of day's — 24 buckets, f32
 *     mean square + u16 visits, rate max(0.01, 1/visits) — once the bucket has
 *     10 visits): raw = |e| > 3σ̂, no opinion for the first 10 forecasts;
 *     - entropy: the histogram of the last 52 values (f32 ring) over 5 equal
 *       bins of [min, max] against up to 8 stored hypotheses (f32, add-½
 *       smoothed) by relative entropy; matched if 2·52·D < 13.276704; raw 1
 *       if unmatched (stored as a new hypothesis, replacing the least
 *       matched) or matched fewer than c_th = 4 times before, else 0; no
 *       opinion until the ring is full;
 *  4. one anomaly likelihood per component, advanced only on rows where it
 *     has an opinion: the mean of its last 10 raw values (f32 ring) against
 *     a Gaussian of past means (EW, rate max(2/8641, 1/n), mean ≥ 0.03,
 *     variance ≥ 0.0003), fitted after a learning period of 288 rows or one
 *     day of event time (whichever is first, counted from its first row),
 *     reported after 100 more rows (0.5 before); a red value (tail ≤ 1e-5)
 *     right after a red one is downgraded to tail 1e-3;
 *  5. Fisher: over the k components with an opinion, p_i = 1.0000000001 − L_i,
 *     X = −2 Σ ln p_i, L = 1 − P(χ²_{2k} > X), score = ln(1.0000000001 − L)/ln(1e-10),
 *     capped at 1 (0 if k = 0); a novel x scores 1;
 *  6. warm-up: the score is exactly 0 until some likelihood has reported and
 *     has one day of event time behind it (from its first row; the day only
 *     matters below ~3.6-minute spacing, where 398 rows are less than a day);
 *  7. cool-down: after a score ≥ 0.5 the next 10 rows are capped at 0.3.
 *
 * Constants: literature — 3σ (three-sigma rule), 10/288/100/8640 and the
 * floors 0.03/0.0003, red 1e-5 → 1e-3, the log score (nupic
 * AnomalyLikelihood defaults), spatial tolerance 0.05 (NAB's HTM detector),
 * W = 52, B = 5, χ²₄(0.99) = 13.276704, c_th = 4 (Wang et al. 2011 / NAB's
 * relativeEntropy detector), Fisher's method; chosen by leave-one-category-out
 * CV (bench/nab/crossValidate.ts, grid σ {3, 2.5, 3.5} × EW floor {0.01, 0.05}
 * × cool-down {10, 30, 100} × c_th {4, 1}): σ = 3, 0.01, 10 rows, c_th = 4 (the
 * CV kept the literature defaults); fixed design constants, not tuned — 24
 * hour buckets, 10 visits, 10 forecasts, 288 day slots, 168 week slots, 8
 * hypotheses, cool-down cap 0.3, one day of event time for learning.
 *
 * Per-key block (KeyedBlocks), 3888 bytes; offsets in bytes:
 *
 *    0 ┌ header (32): rows f64 @0 · min f64 @8 · max f64 @16 · coolDown u32 @24 · warm u8 @28
 *   32 ├ last (176):    scale @0 · forecasts f64 @160 · last f64 @168
 *  208 ├ daily (1896):  scale @0 · forecasts f64 @160 · value 288 × f32 @168 · day 288 × u16 @1320
 * 2104 ├ weekly (1032): scale @0 · forecasts f64 @160 · hour f64 @168 · sum f64 @176 · count f64 @184
 *      │                · mean 168 × f32 @192 · week 168 × u8 @864
 * 3136 ├ entropy (304): ring 52 × f32 @0 · head u32 @208 · filled u32 @212 · hypotheses 8 × 5 × u8 @216
 *      │                (a bin's window count c: the hypothesis holds f32((c + ½)/(52 + 5/2)))
 *      │                · counts 8 × f32 @256 · used u32 @288 · the ring's bin counts 5 × u8 @292 and
 *      │                "bin counts valid" u8 @297 (a cache over [min, max]: zero means "count again")
 * 3440 ├ likelihood × 4 (112 each: last, daily, weekly, entropy): ring 10 × f32 @0 · head u8 @40
 *      │                · filled u8 @41 · prevRed u8 @42 · sum @48 · rows @56 · n @64 · mean @72
 *      │                · variance @80 · firstT @88 · learnedAt @96 (f64 each; 8 spare)
 * 3888 └
 *   scale (160): n f64 @0 · meanSq f64 @8 · bucketSq 24 × f32 @16 · visits 24 × u16 @112
 *
 * A zeroed block is "never seen"; the key's first row sets min/max to ±∞,
 * last/hour/firstT to NaN, learnedAt to −1 and every day/week slot's value to
 * NaN (an empty slot: no forecast whatever its tag).
 */
import { KeyedBlocks } from "./keyed";
import { Writer, Reader } from "./serial";

const SIGMA: f64 = 3;
const SCALE_ALPHA: f64 = 0.01;
const COOL_ROWS: u32 = 10;
const C_TH: f32 = 4;
const HOUR_BUCKETS: i32 = 24;
const MIN_VISITS: i32 = 10;
const WARMUP_FORECASTS: f64 = 10;
const DAY_SLOTS: i32 = 288;
const WEEK_SLOTS: i32 = 168;
const AVERAGING: i32 = 10;
const LEARNING: f64 = 288;
const ESTIMATION: f64 = 100;
const HISTORY_ALPHA: f64 = 2.0 / (8640.0 + 1.0);
const NOVELTY: f64 = 0.05;
const ALARM: f64 = 0.5;
const COOL_CAP: f64 = 0.3;
const HOUR_MS: f64 = 3600000;
const DAY_MS: f64 = 86400000;
const WEEK_MS: f64 = 7 * DAY_MS;
/** Least event time a likelihood has seen before the warm-up ends (one day). */
const WARMUP_MIN_MS: f64 = DAY_MS;
/** 2^53: below it every integer is a double, so t − ⌊t/m⌋·m is exact. */
const EXACT_INTEGERS: f64 = 9007199254740992;
const LOG_DENOM: f64 = -23.025850929940457; // Math.log(1e-10)
const RED_TAIL: f64 = 1e-5;
const YELLOW_TAIL: f64 = 1e-3;
const EW: i32 = 52;
const EB: i32 = 5;
const EM: i32 = 8;
const CHI2_4_099: f64 = 13.276704135987622;

// header
const H_ROWS: usize = 0;
const H_MIN: usize = 8;
const H_MAX: usize = 16;
const H_COOL: usize = 24;
const H_WARM: usize = 28;
// error scale (inside a forecaster)
const S_N: usize = 0;
const S_MEANSQ: usize = 8;
const S_BUCKET_SQ: usize = 16;
const S_VISITS: usize = 112;
const F_FORECASTS: usize = 160;
const F_LAST: usize = 168;
const F_DAY_VALUE: usize = 168;
const F_DAY_TAG: usize = 1320;
const F_HOUR: usize = 168;
const F_SUM: usize = 176;
const F_COUNT: usize = 184;
const F_WEEK_MEAN: usize = 192;
const F_WEEK_TAG: usize = 864;
// relative entropy
const E_RING: usize = 0;
const E_HEAD: usize = 208;
const E_FILLED: usize = 212;
const E_HYP: usize = 216;
const E_COUNT: usize = 256;
const E_USED: usize = 288;
const E_BINS: usize = 292;
const E_BINS_VALID: usize = 297;
const E_BYTES: usize = 304;
// likelihood
const L_RING: usize = 0;
const L_HEAD: usize = 40;
const L_FILLED: usize = 41;
const L_PREV_RED: usize = 42;
const L_SUM: usize = 48;
const L_ROWS: usize = 56;
const L_N: usize = 64;
const L_MEAN: usize = 72;
const L_VAR: usize = 80;
const L_FIRST_T: usize = 88;
const L_LEARNED: usize = 96;
const L_BYTES: usize = 112;
// components
const B_LAST: usize = 32;
const B_DAILY: usize = 208;
const B_WEEKLY: usize = 2104;
const B_ENTROPY: usize = 3136;
const B_LIK: usize = B_ENTROPY + E_BYTES;
/** Bytes of one key's block. */
export const DETECTOR_BLOCK_BYTES: usize = B_LIK + 4 * L_BYTES;

/** Q(z) for z ≥ 0 by an erf series for small z and the erfc continued fraction (modified Lentz) for large: exact to a few ulps, ~70 ns. */
function exactTail(z: f64): f64 {
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

/** Spacing of the tabulated Q(z): 1/64. */
const TAIL_STEP: f64 = 1.0 / 64.0;
/** Q(z) is tabulated for z in [0, TAIL_TABLE_END); beyond it the continued fraction needs few terms. */
const TAIL_TABLE_END: f64 = 8;
const TAIL_POINTS: i32 = <i32>(TAIL_TABLE_END / TAIL_STEP) + 1;
/** Terms of the Taylor series around a grid point (|h| ≤ 1/128: the 9th is below 1e-18 of Q even at z = 8). */
const TAIL_TERMS: i32 = 8;
/** Per grid point z0 = i/64: Q(z0), then c_0..c_7 with Q(z0 + h) = Q(z0) − h·Σ c_n hⁿ. */
const TAIL_ROW: i32 = TAIL_TERMS + 1;
const tailTable = new StaticArray<f64>(TAIL_POINTS * TAIL_ROW);
for (let i = 0; i < TAIL_POINTS; i++) {
  const z0 = <f64>i * TAIL_STEP;
  const density = Math.exp(-0.5 * z0 * z0) / Math.sqrt(2 * Math.PI);
  tailTable[i * TAIL_ROW] = exactTail(z0);
  // c_n = φ(z0)·(−1)ⁿ He_n(z0)/(n+1)!, He_0 = 1, He_1 = z0, He_{n+1} = z0·He_n − n·He_{n−1}
  let hePrev: f64 = 0;
  let he: f64 = 1;
  let factorial: f64 = 1;
  for (let n = 0; n < TAIL_TERMS; n++) {
    factorial *= <f64>(n + 1);
    tailTable[i * TAIL_ROW + 1 + n] = (density * (n % 2 == 0 ? he : -he)) / factorial;
    const next = z0 * he - <f64>n * hePrev;
    hePrev = he;
    he = next;
  }
}

/**
 * Standard normal upper tail Q(z). Every row of every key evaluates it four
 * times, so below z = 8 it is the Taylor polynomial around the nearest of
 * 513 tabulated points instead of the ~40-term series: Q(z0 + h) = Q(z0) −
 * φ(z0) Σ (−1)ⁿ He_n(z0) h^(n+1)/(n+1)! (the derivatives of φ are Hermite
 * polynomials times φ), its 8 coefficients per point tabulated and summed by
 * Estrin's scheme (a short dependency chain); relative error ≤ 1e-13
 * (test/core/detector.test.ts checks it, exported as normal_tail, against
 * the reference's independent Q).
 */
export function normalTail(z: f64): f64 {
  if (z < 0) return 1 - normalTail(-z);
  if (!(z < TAIL_TABLE_END)) return z == Infinity ? 0 : exactTail(z); // NaN stays NaN
  const i = <i32>Math.floor(z / TAIL_STEP + 0.5);
  const h = z - <f64>i * TAIL_STEP;
  const c = changetype<usize>(tailTable) + <usize>(i * TAIL_ROW) * 8;
  const h2 = h * h;
  const h4 = h2 * h2;
  const low = (load<f64>(c, 8) + load<f64>(c, 16) * h) + h2 * (load<f64>(c, 24) + load<f64>(c, 32) * h);
  const high = (load<f64>(c, 40) + load<f64>(c, 48) * h) + h2 * (load<f64>(c, 56) + load<f64>(c, 64) * h);
  return load<f64>(c) - h * (low + h4 * high);
}

/** Upper tail of χ² with 2k degrees of freedom: e^{−x/2} Σ_{j<k} (x/2)^j / j!, at most 1. */
export function chiSquareTail(x: f64, k: i32): f64 {
  const h = x / 2;
  let term = Math.exp(-h);
  let sum = term;
  for (let j = 1; j < k; j++) {
    term *= h / <f64>j;
    sum += term;
  }
  return Math.min(1, sum);
}

/** f mod m in [0, m) for an integer-valued f (JS's `Math.floor(·) & (m − 1)` for m = 2^n, any magnitude). */
@inline function wrap(f: f64, m: f64): i32 {
  return <i32>(f - Math.floor(f / m) * m);
}

@inline function hourOfDay(t: f64): i32 {
  // t − ⌊t/day⌋·day rather than t % day: wasm has no f64 remainder (the library's fmod is several times
  // slower), and below 2^53 both are exact; a quotient rounded up to the next day gives p < 0, fixed below
  let p = Math.abs(t) < EXACT_INTEGERS ? t - Math.floor(t / DAY_MS) * DAY_MS : t % DAY_MS;
  if (p < 0) p += DAY_MS;
  const h = Math.floor(p / HOUR_MS);
  return h >= <f64>(HOUR_BUCKETS - 1) ? HOUR_BUCKETS - 1 : <i32>h;
}

/** 5-minute slot of the UTC day, clamped to [0, 287]. */
@inline function daySlot(t: f64): i32 {
  const s = Math.floor(((t - Math.floor(t / DAY_MS) * DAY_MS) / DAY_MS) * <f64>DAY_SLOTS);
  return s >= <f64>(DAY_SLOTS - 1) ? DAY_SLOTS - 1 : s > 0 ? <i32>s : 0;
}

/** Hour-of-week slot of an hour number. */
@inline function weekSlot(h: f64): i32 {
  // wrap is exact for |h| < 2^40 (the quotient cannot round across an integer); fmod beyond
  return Math.abs(h) < 1099511627776 ? wrap(h, <f64>WEEK_SLOTS) : <i32>((((h % <f64>WEEK_SLOTS) + <f64>WEEK_SLOTS) % <f64>WEEK_SLOTS));
}

/** Forecast-error surprise of forecaster `f` (block address) given forecast `fc`: 1, 0 or NaN; learns the error. */
function surprise(f: usize, t: f64, x: f64, fc: f64): f64 {
  if (isNaN(fc)) return NaN;
  const e = Math.abs(x - fc);
  const b = hourOfDay(t);
  const sqAt = f + S_BUCKET_SQ + (<usize>b << 2);
  const visitsAt = f + S_VISITS + (<usize>b << 1);
  const visits = <i32>load<u16>(visitsAt);
  const meanSq = load<f64>(f, S_MEANSQ);
  const forecasts = load<f64>(f, F_FORECASTS);
  let out: f64 = NaN;
  if (forecasts >= WARMUP_FORECASTS) {
    const sd = Math.sqrt(visits >= MIN_VISITS ? <f64>load<f32>(sqAt) : meanSq);
    out = e > SIGMA * sd ? 1 : 0;
  }
  const e2 = e * e;
  const n = load<f64>(f, S_N) + 1;
  store<f64>(f, n, S_N);
  store<f64>(f, meanSq + Math.max(SCALE_ALPHA, 1 / n) * (e2 - meanSq), S_MEANSQ);
  const v = visits + 1 > 65535 ? 65535 : visits + 1;
  store<u16>(visitsAt, <u16>v);
  const bs = <f64>load<f32>(sqAt);
  store<f32>(sqAt, <f32>(bs + Math.max(SCALE_ALPHA, 1 / <f64>v) * (e2 - bs)));
  store<f64>(f, forecasts + 1, F_FORECASTS);
  return out;
}

function lastRaw(f: usize, t: f64, x: f64): f64 {
  const out = surprise(f, t, x, load<f64>(f, F_LAST));
  store<f64>(f, x, F_LAST);
  return out;
}

function dailyRaw(f: usize, t: f64, x: f64): f64 {
  const dayFloor = Math.floor(t / DAY_MS);
  const day = wrap(dayFloor, 65536);
  const slot = daySlot(t);
  const valueAt = f + F_DAY_VALUE + (<usize>slot << 2);
  const tagAt = f + F_DAY_TAG + (<usize>slot << 1);
  const fc: f64 = <i32>load<u16>(tagAt) == ((day + 0xffff) & 0xffff) ? <f64>load<f32>(valueAt) : NaN;
  const out = surprise(f, t, x, fc);
  store<f32>(valueAt, <f32>x);
  store<u16>(tagAt, <u16>day);
  return out;
}

function weeklyRaw(f: usize, t: f64, x: f64): f64 {
  const h = Math.floor(t / HOUR_MS);
  const slot = weekSlot(h);
  const week = wrap(Math.floor(t / WEEK_MS), 256);
  const fc: f64 = <i32>load<u8>(f + F_WEEK_TAG + <usize>slot) == ((week + 0xff) & 0xff) ? <f64>load<f32>(f + F_WEEK_MEAN + (<usize>slot << 2)) : NaN;
  const out = surprise(f, t, x, fc);
  const accHour = load<f64>(f, F_HOUR);
  let sum = load<f64>(f, F_SUM);
  let count = load<f64>(f, F_COUNT);
  if (h != accHour) {
    if (count > 0) {
      const s = weekSlot(accHour);
      store<f32>(f + F_WEEK_MEAN + (<usize>s << 2), <f32>(sum / count));
      store<u8>(f + F_WEEK_TAG + <usize>s, <u8>wrap(Math.floor((accHour * HOUR_MS) / WEEK_MS), 256));
    }
    store<f64>(f, h, F_HOUR);
    sum = 0;
    count = 0;
  }
  store<f64>(f, sum + x, F_SUM);
  store<f64>(f, count + 1, F_COUNT);
  return out;
}

/** Add-½ smoothing denominator of a stored hypothesis: (count + ½) / (W + B/2). */
const E_DENOM: f64 = <f64>EW + <f64>EB / 2;
/** Row width of entropyTerms: counts 0..W. */
const E_COUNTS: i32 = EW + 1;
/**
 * entropyTerms[p·(W+1) + j] = pb·ln(pb/q) for pb = p/W and q = f32((j + ½)/(W + B/2)), the
 * add-½ smoothed bin of a hypothesis whose window had j values there (0 for p = 0): every term
 * the relative entropy of a window against a stored hypothesis can have, so a row costs five
 * lookups per hypothesis instead of five logs.
 */
const entropyTerms = new StaticArray<f64>(E_COUNTS * E_COUNTS);
for (let p = 0; p < E_COUNTS; p++) {
  const pb = <f64>p / <f64>EW;
  for (let j = 0; j < E_COUNTS; j++) entropyTerms[p * E_COUNTS + j] = p > 0 ? pb * Math.log(pb / <f64><f32>((<f64>j + 0.5) / E_DENOM)) : 0;
}

/** Bin (0..B−1) of value v over [lo, lo + span]; all in bin 0 when the range is empty. */
@inline function entropyBin(v: f64, lo: f64, span: f64): i32 {
  if (!(span > 0)) return 0;
  const fb = Math.floor(((v - lo) / span) * <f64>EB);
  return fb >= 4 ? 4 : fb > 0 ? <i32>fb : 0;
}

/** Counts the ring's values per bin (B × u8 at E_BINS) and marks the counts valid. */
function recount(r: usize, lo: f64, span: f64): void {
  const bins = r + E_BINS;
  for (let b = 0; b < EB; b++) store<u8>(bins + <usize>b, 0);
  for (let i = 0; i < EW; i++) {
    const at = bins + <usize>entropyBin(<f64>load<f32>(r + E_RING + (<usize>i << 2)), lo, span);
    store<u8>(at, load<u8>(at) + 1);
  }
  store<u8>(r, 1, E_BINS_VALID);
}

/** ln-term of bin count p against a stored hypothesis count (0..W; larger, from a damaged block, read as W). */
@inline function term(p: i32, stored: usize): f64 {
  const j = <i32>load<u8>(stored);
  return unchecked(entropyTerms[p * E_COUNTS + (j > EW ? EW : j)]);
}

/**
 * Relative-entropy surprise of x over the ring's histogram in B bins of [lo, hi]. The bin counts
 * of the previous row are kept: while the range does not widen (`sameRange`), a row only moves
 * the evicted value out of its bin and x into its own instead of binning all W values again (the
 * same integers a full count gives); a hypothesis is stored as its bins' counts, so its relative
 * entropy is five table lookups.
 */
function entropyRaw(r: usize, x: f64, lo: f64, hi: f64, sameRange: bool): f64 {
  let head = load<u32>(r, E_HEAD);
  if (head >= <u32>EW) head = 0; // a corrupt restored block cannot index outside it
  const slotAt = r + E_RING + (<usize>head << 2);
  const span = hi - lo;
  const bins = r + E_BINS;
  let filled = load<u32>(r, E_FILLED);
  let counted = false;
  if (filled >= <u32>EW && sameRange && load<u8>(r, E_BINS_VALID) != 0) {
    const outAt = bins + <usize>entropyBin(<f64>load<f32>(slotAt), lo, span);
    const inAt = bins + <usize>entropyBin(<f64><f32>x, lo, span);
    store<u8>(outAt, load<u8>(outAt) - 1);
    store<u8>(inAt, load<u8>(inAt) + 1);
    counted = true;
  }
  store<f32>(slotAt, <f32>x);
  store<u32>(r, head + 1 == <u32>EW ? 0 : head + 1, E_HEAD);
  if (filled < <u32>EW) {
    filled++;
    store<u32>(r, filled, E_FILLED);
  }
  if (filled < <u32>EW) return NaN;
  let p0 = <i32>load<u8>(bins), p1 = <i32>load<u8>(bins, 1), p2 = <i32>load<u8>(bins, 2), p3 = <i32>load<u8>(bins, 3), p4 = <i32>load<u8>(bins, 4);
  // counts that do not add up to W (a damaged restored block) are counted again
  if (!counted || p0 + p1 + p2 + p3 + p4 != EW) {
    recount(r, lo, span);
    p0 = <i32>load<u8>(bins); p1 = <i32>load<u8>(bins, 1); p2 = <i32>load<u8>(bins, 2); p3 = <i32>load<u8>(bins, 3); p4 = <i32>load<u8>(bins, 4);
  }
  let used = <i32>load<u32>(r, E_USED);
  if (used > EM) used = EM;
  let best = -1;
  let bestD: f64 = Infinity;
  for (let h = 0; h < used; h++) {
    const q = r + E_HYP + <usize>(h * EB);
    let d: f64 = 0;
    d += term(p0, q);
    d += term(p1, q + 1);
    d += term(p2, q + 2);
    d += term(p3, q + 3);
    d += term(p4, q + 4);
    if (d < bestD) {
      bestD = d;
      best = h;
    }
  }
  if (best >= 0 && 2 * <f64>EW * bestD < CHI2_4_099) {
    const at = r + E_COUNT + (<usize>best << 2);
    const c = load<f32>(at);
    store<f32>(at, c + 1);
    return c < C_TH ? 1 : 0;
  }
  let slot = used;
  if (slot < EM) store<u32>(r, <u32>(used + 1), E_USED);
  else {
    slot = 0;
    for (let h = 1; h < EM; h++) if (load<f32>(r + E_COUNT + (<usize>h << 2)) < load<f32>(r + E_COUNT + (<usize>slot << 2))) slot = h;
  }
  const q = r + E_HYP + <usize>(slot * EB);
  store<u8>(q, <u8>p0);
  store<u8>(q, <u8>p1, 1);
  store<u8>(q, <u8>p2, 2);
  store<u8>(q, <u8>p3, 3);
  store<u8>(q, <u8>p4, 4);
  store<f32>(r + E_COUNT + (<usize>slot << 2), 1);
  return 1;
}

/** True once likelihood `l` reports. */
@inline function ready(l: usize): bool {
  const learned = load<f64>(l, L_LEARNED);
  return learned >= 0 && load<f64>(l, L_ROWS) >= learned + ESTIMATION;
}

/** Feeds raw value `raw` at time t to likelihood `l`; returns L (0.5 until it reports). */
function push(l: usize, raw: f64, t: f64): f64 {
  if (isNaN(load<f64>(l, L_FIRST_T))) store<f64>(l, t, L_FIRST_T);
  let rows = load<f64>(l, L_ROWS);
  if (load<f64>(l, L_LEARNED) < 0 && (rows >= LEARNING || t - load<f64>(l, L_FIRST_T) >= DAY_MS)) store<f64>(l, rows, L_LEARNED);
  const a = <f32>raw;
  let head = <i32>load<u8>(l, L_HEAD);
  if (head >= AVERAGING) head = 0; // a corrupt restored block cannot index outside it
  let filled = <i32>load<u8>(l, L_FILLED);
  let sum = load<f64>(l, L_SUM);
  const at = l + L_RING + (<usize>head << 2);
  if (filled >= AVERAGING) {
    filled = AVERAGING;
    sum -= <f64>load<f32>(at);
  } else filled++;
  store<f32>(at, a);
  store<u8>(l, <u8>(head + 1 == AVERAGING ? 0 : head + 1), L_HEAD);
  store<u8>(l, <u8>filled, L_FILLED);
  sum += <f64>a;
  if (sum < 0) sum = 0;
  store<f64>(l, sum, L_SUM);
  const avg = sum / <f64>filled;

  let likelihood: f64 = 0.5;
  if (ready(l)) {
    const mean = Math.max(load<f64>(l, L_MEAN), 0.03);
    const sd = Math.sqrt(Math.max(load<f64>(l, L_VAR), 0.0003));
    let tail = avg >= mean ? normalTail((avg - mean) / sd) : 1 - normalTail((mean - avg) / sd);
    const red = tail <= RED_TAIL;
    if (red && load<u8>(l, L_PREV_RED) != 0) tail = YELLOW_TAIL;
    store<u8>(l, red ? 1 : 0, L_PREV_RED);
    likelihood = 1 - tail;
  }
  if (load<f64>(l, L_LEARNED) >= 0) {
    const n = load<f64>(l, L_N) + 1;
    store<f64>(l, n, L_N);
    const alpha = Math.max(HISTORY_ALPHA, 1 / n);
    const mean = load<f64>(l, L_MEAN);
    const d = avg - mean;
    store<f64>(l, mean + alpha * d, L_MEAN);
    store<f64>(l, (1 - alpha) * (load<f64>(l, L_VAR) + alpha * d * d), L_VAR);
  }
  store<f64>(l, rows + 1, L_ROWS);
  return likelihood;
}

/** Sets the "nothing seen" values a zeroed block cannot hold. */
function initBlock(b: usize): void {
  store<f64>(b, Infinity, H_MIN);
  store<f64>(b, -Infinity, H_MAX);
  store<f64>(b + B_LAST, NaN, F_LAST);
  for (let s = 0; s < DAY_SLOTS; s++) store<f32>(b + B_DAILY + F_DAY_VALUE + (<usize>s << 2), NaN);
  store<f64>(b + B_WEEKLY, NaN, F_HOUR);
  for (let s = 0; s < WEEK_SLOTS; s++) store<f32>(b + B_WEEKLY + F_WEEK_MEAN + (<usize>s << 2), NaN);
  for (let i: usize = 0; i < 4; i++) {
    const l = b + B_LIK + i * L_BYTES;
    store<f64>(l, NaN, L_FIRST_T);
    store<f64>(l, -1, L_LEARNED);
  }
}

export class Detector {
  enabled: bool = false;
  blocks: KeyedBlocks = new KeyedBlocks();

  constructor() {
    this.blocks.configure(DETECTOR_BLOCK_BYTES);
  }

  /** Empties per-key state. */
  resetState(): void {
    this.blocks.configure(DETECTOR_BLOCK_BYTES);
  }

  /** Frees per-key blocks. */
  free(): void {
    this.blocks.reset();
  }

  /** Bytes of state per key. */
  bytesPerKey(): i32 {
    return <i32>this.blocks.stride;
  }

  /** Scores row (t in epoch ms, x) of key k; returns a score in [0, 1]. */
  step(k: i32, t: f64, x: f64): f64 {
    if (!isFinite(t) || !isFinite(x)) return 0;
    const b = this.blocks.block(k);
    const rows = load<f64>(b, H_ROWS);
    if (rows == 0) initBlock(b);

    // 2. novelty against the range before x, then widen it
    const lo = load<f64>(b, H_MIN);
    const hi = load<f64>(b, H_MAX);
    const range = hi - lo;
    const novel = lo <= hi && (x > hi + NOVELTY * range || x < lo - NOVELTY * range);
    const min = x < lo ? x : lo;
    const max = x > hi ? x : hi;
    store<f64>(b, min, H_MIN);
    store<f64>(b, max, H_MAX);

    // 3–5. components → likelihoods → Fisher
    let fisher: f64 = 0;
    let k2: i32 = 0;
    for (let i = 0; i < 4; i++) {
      const r = i == 0 ? lastRaw(b + B_LAST, t, x)
        : i == 1 ? dailyRaw(b + B_DAILY, t, x)
        : i == 2 ? weeklyRaw(b + B_WEEKLY, t, x)
        : entropyRaw(b + B_ENTROPY, x, min, max, min == lo && max == hi);
      if (!isNaN(r)) {
        const l = push(b + B_LIK + <usize>i * L_BYTES, r, t);
        fisher += -2 * Math.log(1.0000000001 - l);
        k2++;
      }
    }
    let score: f64 = k2 > 0 ? Math.log(1.0000000001 - (1 - chiSquareTail(fisher, k2))) / LOG_DENOM : 0;
    if (score > 1) score = 1;
    if (novel) score = 1;
    store<f64>(b, rows + 1, H_ROWS);

    // 6. warm-up
    if (load<u8>(b, H_WARM) == 0) {
      let warm = false;
      for (let i: usize = 0; i < 4; i++) {
        const l = b + B_LIK + i * L_BYTES;
        // reported, and a day of event time behind it (a daily rhythm seen once)
        if (ready(l) && t - load<f64>(l, L_FIRST_T) >= WARMUP_MIN_MS) warm = true;
      }
      if (!warm) return 0;
      store<u8>(b, 1, H_WARM);
    }

    // 7. cool-down after an alarm
    const cool = load<u32>(b, H_COOL);
    if (cool > 0) {
      store<u32>(b, cool - 1, H_COOL);
      return Math.min(score, COOL_CAP);
    }
    if (score >= ALARM) store<u32>(b, COOL_ROWS, H_COOL);
    return score;
  }

  /** Writes whether it is on (the per-key blocks travel in key records, keyRecords.ts). */
  saveConfig(w: Writer): void {
    w.i32(this.enabled ? 1 : 0);
  }

  /** Reads what saveConfig() wrote. */
  loadConfig(r: Reader): bool {
    this.enabled = r.i32() != 0;
    return r.ok;
  }
}
