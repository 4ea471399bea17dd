/**
 * Rolling z-scores per key, the seed's anomaly rule:
 *
 *   zscore     = (value − rolling_avg) / rolling_stddev     (sample stddev)
 *   is_anomaly = |zscore| > threshold
 *
 * over the rows of the key's window, which includes the current row:
 *  - rows mode: the last N rows of the key (the seed's rowsBetween(-10, 0) is N = 11);
 *  - time mode: the key's rows with event time in (newest time of the key − T,
 *    this row's time], at most `maxRows` (the newest by arrival). For rows in
 *    time order that is simply the last T of event time.
 * z is undefined (NaN, written as null; is_anomaly false) with fewer than two
 * rows or a zero stddev — never a crash, never a false anomaly.
 *
 * Each row recomputes mean and variance over the ring (O(window)): with the
 * current value as shift and the corrected two-pass formula, the result is
 * as accurate as the data allow, and the small default window (11) makes
 * this cheaper than maintaining running sums.
 *
 * Per-key block (KeyedBlocks):
 *
 * ┌────────────┬──────────┬──────────────┬───────────────────────────────────┐
 * │ filled i32 │ head i32 │ newestTs f64 │ ring: cap × (ts f64, value f64)   │
 * └────────────┴──────────┴──────────────┴───────────────────────────────────┘
 *   0            4          8              16
 */
import { KeyedBlocks } from "./keyed";
import { Writer, Reader } from "./serial";

/** z-score modes. */
export const ZSCORE_OFF: i32 = 0;
export const ZSCORE_ROWS: i32 = 1;
export const ZSCORE_TIME: i32 = 2;

const Z_FILLED: usize = 0;
const Z_HEAD: usize = 4;
const Z_NEWEST: usize = 8;
const Z_RING: usize = 16;

/** Rolling z-score state of one analytics stage. */
export class ZScore {
  mode: i32 = ZSCORE_OFF;
  cap: i32 = 0;
  timeMs: f64 = 0;
  threshold: f64 = 2;
  blocks: KeyedBlocks = new KeyedBlocks();
  /** Outputs of the last step. */
  z: f64 = NaN;
  anomaly: bool = false;
  /** Mean and sample stddev of the window (NaN below two rows; stddev 0 for equal values). */
  mean: f64 = NaN;
  stddev: f64 = NaN;

  constructor() {
    this.configure(ZSCORE_OFF, 0, 0, 2);
  }

  /** Sets the mode (rows: `rows` = N; time: `timeMs` = T, `rows` = maxRows) and empties the state. */
  configure(mode: i32, rows: i32, timeMs: f64, threshold: f64): void {
    this.mode = mode;
    this.cap = rows;
    this.timeMs = timeMs;
    this.threshold = threshold;
    this.blocks.configure(Z_RING + <usize>rows * 16);
  }

  /** Adds row (ts, x) to key k's window and scores it. */
  step(k: i32, ts: f64, x: f64): void {
    const b = this.blocks.block(k);
    const cap = this.cap;
    let filled = load<i32>(b, Z_FILLED);
    let head = load<i32>(b, Z_HEAD);
    // push: append, or overwrite the oldest when full
    let slot = head + filled;
    if (slot >= cap) slot -= cap;
    if (filled < cap) {
      filled++;
    } else {
      head++;
      if (head == cap) head = 0;
    }
    store<f64>(b + Z_RING + (<usize>slot << 4), ts);
    store<f64>(b + Z_RING + (<usize>slot << 4), x, 8);
    store<i32>(b, filled, Z_FILLED);
    store<i32>(b, head, Z_HEAD);
    let newest = load<f64>(b, Z_NEWEST);
    if (filled == 1 || ts > newest) newest = ts;
    store<f64>(b, newest, Z_NEWEST);

    // which rows count: all of them (rows mode), or those in (newest − T, ts] (time mode)
    const timed = this.mode == ZSCORE_TIME;
    const lo = newest - this.timeMs;
    // pass 1: mean of (v − x)
    let n = 0;
    let sum: f64 = 0;
    for (let i = 0; i < filled; i++) {
      const e = b + Z_RING + (<usize>i << 4);
      if (timed) {
        const t = load<f64>(e);
        if (!(t > lo && t <= ts)) continue;
      }
      sum += load<f64>(e, 8) - x;
      n++;
    }
    if (n < 2) {
      this.z = NaN;
      this.anomaly = false;
      this.mean = n == 1 ? x : NaN;
      this.stddev = NaN;
      return;
    }
    const mean = sum / <f64>n;
    this.mean = x + mean;
    // pass 2: corrected two-pass variance of (v − x)
    let ss: f64 = 0;
    let c: f64 = 0;
    for (let i = 0; i < filled; i++) {
      const e = b + Z_RING + (<usize>i << 4);
      if (timed) {
        const t = load<f64>(e);
        if (!(t > lo && t <= ts)) continue;
      }
      const d = load<f64>(e, 8) - x - mean;
      ss += d * d;
      c += d;
    }
    const variance = (ss - (c * c) / <f64>n) / <f64>(n - 1);
    if (!(variance > 0)) {
      this.z = NaN;
      this.anomaly = false;
      this.stddev = 0;
      return;
    }
    this.stddev = Math.sqrt(variance);
    // x − mean(v) = −mean(v − x)
    const z = -mean / this.stddev;
    this.z = z;
    this.anomaly = Math.abs(z) > this.threshold;
  }

  /** Checks that a loaded block's ring indices are inside it (memory safety after restore). */
  validBlock(b: usize): bool {
    const filled = load<i32>(b, Z_FILLED);
    const head = load<i32>(b, Z_HEAD);
    return !(filled < 0 || filled > this.cap || head < 0 || (head >= this.cap && this.cap > 0) || (filled > 0 && head >= this.cap));
  }

  /** Writes the configuration (the per-key blocks travel in key records, keyRecords.ts). */
  saveConfig(w: Writer): void {
    w.i32(this.mode); w.i32(this.cap); w.f64(this.timeMs); w.f64(this.threshold);
  }

  /** Reads what saveConfig() wrote and configures (emptying all keys). */
  loadConfig(r: Reader): bool {
    const mode = r.i32(), cap = r.i32(), timeMs = r.f64(), threshold = r.f64();
    if (!r.ok || mode < ZSCORE_OFF || mode > ZSCORE_TIME || cap < 0 || cap > 1 << 20) return false;
    this.configure(mode, cap, timeMs, threshold);
    return true;
  }
}
