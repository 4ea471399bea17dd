/**
 * The default anomaly score: a per-row score in [0, 1]. Placeholder until
 * the detector design lands (issue #4): disabled, scores NaN.
 */
import { Writer, Reader } from "./serial";

export class Detector {
  enabled: bool = false;

  /** Empties per-key state. */
  resetState(): void {}

  /** Frees per-key blocks. */
  free(): void {}

  /** Scores row (k, ts, x). */
  step(k: i32, ts: f64, x: f64): f64 {
    return NaN;
  }

  save(w: Writer): void {
    w.i32(this.enabled ? 1 : 0);
  }

  saveBound(): f64 {
    return 4;
  }

  load(r: Reader): bool {
    this.enabled = r.i32() != 0;
    return r.ok;
  }
}
