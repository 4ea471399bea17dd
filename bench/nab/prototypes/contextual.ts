/**
 * Contextual sequence novelty, in the spirit of the Contextual Anomaly
 * Detector (CAD OSE, Smirnov & Andreev, NAB 2016): values are quantised to
 * 2³ = 8 levels of the series' all-time range (CAD OSE's 3 value bits), and
 * the detector remembers which short contexts — the current level preceded
 * by the last 1, 2 and 3 levels — it has ever seen. Raw anomaly = fraction of
 * the three contexts that are new (0, ⅓, ⅔, 1), as CAD OSE scores the
 * fraction of new contexts among the active ones. A stream that keeps
 * repeating its patterns stops being novel; a new shape (a new level, a
 * missing daily cycle, a new oscillation) is novel.
 *
 * Exact bit tables instead of CAD OSE's growing context dictionary:
 * 8² + 8³ + 8⁴ bits = 64 + 512 + 4096 bits = 584 B, plus the last three
 * levels and a row counter (8 B) = 592 B. Raw is NaN for the first 3 rows.
 * Nothing here is tuned (8 levels and contexts of length ≤ 3 are fixed).
 */
const LEVELS = 8;

/** Contextual novelty component. */
export class ContextualNovelty {
  static readonly BYTES = (64 + 512 + 4096) / 8 + 8;
  readonly stateBytes = ContextualNovelty.BYTES;
  private readonly t1 = new Uint8Array(64 / 8);
  private readonly t2 = new Uint8Array(512 / 8);
  private readonly t3 = new Uint8Array(4096 / 8);
  private l1 = 0;
  private l2 = 0;
  private l3 = 0;
  private rows = 0;

  private static testAndSet(table: Uint8Array, index: number): number {
    const byte = index >> 3;
    const bit = 1 << (index & 7);
    const seen = ((table[byte] as number) & bit) !== 0;
    table[byte] = (table[byte] as number) | bit;
    return seen ? 0 : 1;
  }

  /** Raw anomaly of row x given the all-time range [lo, hi] (x included). */
  raw(x: number, lo: number, hi: number): number {
    const span = hi - lo;
    const level = span > 0 ? Math.min(LEVELS - 1, Math.max(0, Math.floor(((x - lo) / span) * LEVELS))) : 0;
    let out = NaN;
    if (this.rows >= 3) {
      const c1 = this.l1 * LEVELS + level;
      const c2 = this.l2 * 64 + c1;
      const c3 = this.l3 * 512 + c2;
      out =
        (ContextualNovelty.testAndSet(this.t1, c1) + ContextualNovelty.testAndSet(this.t2, c2) + ContextualNovelty.testAndSet(this.t3, c3)) / 3;
    }
    this.l3 = this.l2;
    this.l2 = this.l1;
    this.l1 = level;
    this.rows++;
    return out;
  }
}
