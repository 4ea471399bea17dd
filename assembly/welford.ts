/**
 * Welford's streaming mean/variance, with Chan's merge for combining panes.
 *
 * A stats record is six f64 fields (48 bytes):
 *
 * ┌───────┬───────┬──────┬──────┬──────┬──────┐
 * │ count │ shift │ mean │  m2  │ min  │ max  │
 * └───────┴───────┴──────┴──────┴──────┴──────┘
 *   0       8       16     24     32     40
 *
 * `shift` is the record's first value; `mean` and `m2` are kept for `x - shift`
 * ("shifted data"), so values like 1e15 ± 1 keep their small deviations exact
 * instead of drowning in the rounding of a 1e15 mean. count == 0 means empty.
 */

/** Bytes of one stats record. */
export const STATS_BYTES: usize = 48;
/** Field offsets inside a stats record. */
export const S_COUNT: usize = 0;
export const S_SHIFT: usize = 8;
export const S_MEAN: usize = 16;
export const S_M2: usize = 24;
export const S_MIN: usize = 32;
export const S_MAX: usize = 40;

/** Starts an empty record with its first value. */
@inline export function statsInit(rec: usize, x: f64): void {
  store<f64>(rec, 1.0, S_COUNT);
  store<f64>(rec, x, S_SHIFT);
  store<f64>(rec, 0.0, S_MEAN);
  store<f64>(rec, 0.0, S_M2);
  store<f64>(rec, x, S_MIN);
  store<f64>(rec, x, S_MAX);
}

/** Adds one value to a non-empty record (Welford's update on shifted data). */
@inline export function statsAdd(rec: usize, x: f64): void {
  const n = load<f64>(rec, S_COUNT) + 1.0;
  const y = x - load<f64>(rec, S_SHIFT);
  const mean = load<f64>(rec, S_MEAN);
  const delta = y - mean;
  const newMean = mean + delta / n;
  store<f64>(rec, n, S_COUNT);
  store<f64>(rec, newMean, S_MEAN);
  store<f64>(rec, load<f64>(rec, S_M2) + delta * (y - newMean), S_M2);
  // Compare-and-store instead of f64.min/max: values are finite here, and
  // engines lower min/max with NaN and ±0 handling that costs more than a
  // well-predicted branch.
  if (x < load<f64>(rec, S_MIN)) store<f64>(rec, x, S_MIN);
  if (x > load<f64>(rec, S_MAX)) store<f64>(rec, x, S_MAX);
}

// The accumulator a window's panes are merged into: plain globals, so merging
// never touches memory beyond the panes themselves.
let accCount: f64 = 0;
let accShift: f64 = 0;
let accMean: f64 = 0;
let accM2: f64 = 0;
let accMin: f64 = 0;
let accMax: f64 = 0;

/** Empties the accumulator. */
@inline export function accReset(): void {
  accCount = 0;
}

/** Merges one stats record into the accumulator (Chan et al.'s parallel update). */
@inline export function accMerge(rec: usize): void {
  const nb = load<f64>(rec, S_COUNT);
  if (nb == 0) return;
  if (accCount == 0) {
    accCount = nb;
    accShift = load<f64>(rec, S_SHIFT);
    accMean = load<f64>(rec, S_MEAN);
    accM2 = load<f64>(rec, S_M2);
    accMin = load<f64>(rec, S_MIN);
    accMax = load<f64>(rec, S_MAX);
    return;
  }
  // Re-express b's mean against the accumulator's shift; the two shifts are
  // data values, so their difference is exact whenever they are close.
  const meanB = load<f64>(rec, S_MEAN) + (load<f64>(rec, S_SHIFT) - accShift);
  const na = accCount;
  const n = na + nb;
  const delta = meanB - accMean;
  accMean += delta * (nb / n);
  accM2 += load<f64>(rec, S_M2) + delta * delta * (na * nb / n);
  accCount = n;
  accMin = min<f64>(accMin, load<f64>(rec, S_MIN));
  accMax = max<f64>(accMax, load<f64>(rec, S_MAX));
}

/** Number of values merged so far. */
@inline export function accN(): f64 {
  return accCount;
}

/** Mean of the merged values. */
@inline export function accAvg(): f64 {
  return accShift + accMean;
}

/** Sum of the merged values (count × mean). */
@inline export function accSum(): f64 {
  return accCount * accShift + accCount * accMean;
}

/** Sample standard deviation (n − 1 denominator, as Spark's `stddev`); NaN below two values. */
@inline export function accStddev(): f64 {
  if (accCount < 2) return NaN;
  const variance = accM2 / (accCount - 1);
  return Math.sqrt(variance > 0 ? variance : 0);
}

/** Smallest merged value. */
@inline export function accMinValue(): f64 {
  return accMin;
}

/** Largest merged value. */
@inline export function accMaxValue(): f64 {
  return accMax;
}
