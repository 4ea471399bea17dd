/**
 * Windowed relative-entropy (distribution-shift) detector, after Wang,
 * Talwar, Schwan, Ranganathan (2011), "Online detection of utility cloud
 * anomalies using metric distributions" (the method behind NAB's
 * "relativeEntropy" detector).
 *
 * Per row: the histogram P of the last W = 52 values over B = 5 equal bins
 * of the series' all-time range [min, max] is compared with each stored
 * hypothesis distribution Q_i by the relative entropy
 *   D(P‖Q_i) = Σ_b P_b · ln(P_b / Q_b),
 * and P "matches" Q_i if 2·W·D(P‖Q_i) < χ²_{B−1}(1 − 0.01) = 13.277 (Wang et
 * al.'s test: 2W·D is asymptotically χ² with B−1 degrees of freedom under
 * "P was drawn from Q"). Of the matching hypotheses the closest one wins and
 * its count rises; the row is anomalous (raw 1) if nothing matches (P then
 * becomes a new hypothesis) or if the winner has been matched fewer than
 * c_th times (a rarely seen regime; c_th = 4 by default, CV grid {4, 1}
 * where 1 means only unmatched windows are anomalous). Otherwise raw 0.
 *
 * Hypotheses are capped at M = 8 (constant memory; the paper's list grows):
 * a new one replaces the least-matched. Q is stored with add-½ smoothing
 * ((count + ½)/(W + B/2)) so that D is finite. Raw is NaN until the ring is
 * full. W = 52, B = 5, significance 0.01 and c_th = 4 are the settings of
 * NAB's relative-entropy detector as recalled from its published
 * description (not re-checked against its source, which this work does not
 * read); they are not tuned here except c_th ∈ {4, 1} in the CV grid.
 * M = 8 is the memory cap.
 *
 * State as the wasm stores it: ring 52 × f32 (208 B) + head/filled (8 B) +
 * hypotheses as their bins' counts (a count c stands for the smoothed
 * (c + ½)/(W + B/2), so M × B × u8 = 40 B) + M match counts × f32 (32 B) +
 * hypotheses in use (4 B) + the ring's bin counts cached (B + 1 B), padded
 * to 8: 304 B. (The range is the ensemble's shared min/max.)
 */
const W = 52;
const B = 5;
const CHI2_4_099 = 13.276704135987622;
const C_TH = 4;
const M = 8;

/**
 * D(P‖Q) = Σ_b P_b ln(P_b/Q_b) of the histogram P = counts/total against
 * the distribution Q (bins with P_b = 0 contribute 0).
 */
export function relativeEntropy(counts: ArrayLike<number>, total: number, q: ArrayLike<number>): number {
  let d = 0;
  for (let b = 0; b < counts.length; b++) {
    const pb = (counts[b] as number) / total;
    if (pb > 0) d += pb * Math.log(pb / (q[b] as number));
  }
  return d;
}

/** Wang et al.'s match threshold: χ²₄ at 0.99, for 2·W·D(P‖Q). */
export const ENTROPY_CHI2 = CHI2_4_099;
export const ENTROPY_WINDOW = W;
export const ENTROPY_BINS = B;

/** Relative-entropy component. */
export class RelativeEntropy {
  static readonly BYTES = Math.ceil((W * 4 + 8 + M * B + M * 4 + 4 + B + 1) / 8) * 8;
  readonly stateBytes = RelativeEntropy.BYTES;
  private readonly ring = new Float32Array(W);
  private head = 0;
  private filled = 0;
  private readonly hyp = new Float32Array(M * B);
  private readonly count = new Float32Array(M);
  private used = 0;
  private readonly p = new Float64Array(B); // scratch, not state
  /** c_th: a matched hypothesis seen fewer times than this is still anomalous (1 = only non-matches are). */
  constructor(private readonly cTh: number = C_TH) {}

  /** Raw anomaly of row x given the all-time range [lo, hi] (x included). */
  raw(x: number, lo: number, hi: number): number {
    this.ring[this.head] = x;
    this.head = (this.head + 1) % W;
    if (this.filled < W) this.filled++;
    if (this.filled < W) return NaN;
    const p = this.p;
    p.fill(0);
    const span = hi - lo;
    for (let i = 0; i < W; i++) {
      const v = this.ring[i] as number;
      // (a NaN bin — only for |x| beyond f32's range — counts as bin 0, as in the wasm core)
      const f = span > 0 ? Math.floor(((v - lo) / span) * B) : 0;
      const b = f >= B - 1 ? B - 1 : Math.max(f, 0);
      p[b] = (p[b] as number) + 1;
    }
    let best = -1;
    let bestD = Infinity;
    for (let h = 0; h < this.used; h++) {
      const d = relativeEntropy(p, W, this.hyp.subarray(h * B, (h + 1) * B));
      if (d < bestD) {
        bestD = d;
        best = h;
      }
    }
    if (best >= 0 && 2 * W * bestD < CHI2_4_099) {
      const c = this.count[best] as number;
      this.count[best] = c + 1;
      return c < this.cTh ? 1 : 0;
    }
    // No hypothesis explains the window: store it as a new one.
    let slot = this.used;
    if (slot < M) this.used++;
    else {
      slot = 0;
      for (let h = 1; h < M; h++) if ((this.count[h] as number) < (this.count[slot] as number)) slot = h;
    }
    for (let b = 0; b < B; b++) this.hyp[slot * B + b] = ((p[b] as number) + 0.5) / (W + B / 2);
    this.count[slot] = 1;
    return 1;
  }
}
