/**
 * Threshold patterns, as the seed's detect_threshold_patterns: named bounds
 * `{ critical: { upper: 100 }, warning: { upper: 80, lower: 20 } }`. Pattern
 * i sets bit 2i when value > upper (`<name>_exceeded`) and bit 2i+1 when
 * value < lower (`<name>_below`); the host maps bits to names, in the order
 * the patterns were given. Stateless; up to 16 named bounds.
 *
 *   bounds: MAX_THRESHOLDS × (upper f64, lower f64), NaN = no bound
 */
import { MAX_THRESHOLDS } from "./abi";
export { MAX_THRESHOLDS };
import { Writer, Reader } from "./serial";


export class Thresholds {
  count: i32 = 0;
  private bounds: StaticArray<f64> = new StaticArray<f64>(MAX_THRESHOLDS * 2);

  /** Forgets all bounds. */
  clear(): void {
    this.count = 0;
  }

  /** Sets bound i (NaN for "none"); returns false when i is out of range. */
  set(i: i32, upper: f64, lower: f64): bool {
    if (i < 0 || i >= MAX_THRESHOLDS) return false;
    // patterns skipped over (or left from before a clear) have no bounds
    for (let j = this.count; j < i; j++) {
      unchecked((this.bounds[j * 2] = NaN));
      unchecked((this.bounds[j * 2 + 1] = NaN));
    }
    unchecked((this.bounds[i * 2] = upper));
    unchecked((this.bounds[i * 2 + 1] = lower));
    if (i >= this.count) this.count = i + 1;
    return true;
  }

  /** Upper bound of pattern i. */
  upper(i: i32): f64 {
    return this.bounds[i * 2];
  }

  /** Lower bound of pattern i. */
  lower(i: i32): f64 {
    return this.bounds[i * 2 + 1];
  }

  /** The bit mask of patterns x matches (NaN comparisons are false, so a missing bound never fires). */
  @inline mask(x: f64): u32 {
    let bits: u32 = 0;
    for (let i = 0; i < this.count; i++) {
      if (x > unchecked(this.bounds[i * 2])) bits |= 1 << (i * 2);
      if (x < unchecked(this.bounds[i * 2 + 1])) bits |= 1 << (i * 2 + 1);
    }
    return bits;
  }

  /** Writes the bounds. */
  save(w: Writer): void {
    w.i32(this.count);
    for (let i = 0; i < this.count * 2; i++) w.f64(this.bounds[i]);
  }

  /** Reads what save() wrote. */
  load(r: Reader): bool {
    const count = r.i32();
    if (!r.ok || count < 0 || count > MAX_THRESHOLDS) return false;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      const upper = r.f64();
      const lower = r.f64();
      this.set(i, upper, lower);
    }
    return r.ok;
  }
}
