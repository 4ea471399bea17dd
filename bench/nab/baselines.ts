/**
 * Baseline detectors for the NAB study (bench/nab/runPrototype.ts).
 */
import type { StreamingDetector } from './harness.js';
import { normalTail } from '../../test/reference/likelihood.js';

/** The seed's rule: rolling z over the last 11 rows incl. the current one, |z| > 2 → 1. */
export class SeedRule implements StreamingDetector {
  private readonly ring = new Float64Array(11);
  private n = 0;
  update(_t: number, x: number): number {
    this.ring[this.n % 11] = x;
    this.n++;
    const m = Math.min(this.n, 11);
    if (m < 2) return 0;
    let mean = 0;
    for (let i = 0; i < m; i++) mean += this.ring[i] as number;
    mean /= m;
    let ss = 0;
    for (let i = 0; i < m; i++) ss += ((this.ring[i] as number) - mean) ** 2;
    const sd = Math.sqrt(ss / (m - 1));
    if (!(sd > 0)) return 0;
    return Math.abs((x - mean) / sd) > 2 ? 1 : 0;
  }
}

/**
 * NAB's windowedGaussian detector: score = 1 − Q(|x − mean| / std) over the
 * previous ≤ 1000 values (population std, 1e-6 if 0), 0 for the first row;
 * rounded to 12 significant digits as in NAB's published results CSVs
 * (Python 2 str()), which decides which rows tie at exactly 1.0.
 */
export class WindowedGaussian implements StreamingDetector {
  private readonly win: number[] = [];
  private mean = 0;
  private std = 1;
  update(_t: number, x: number): number {
    let score = 0;
    if (this.win.length > 0) score = Number((1 - normalTail(Math.abs(x - this.mean) / this.std)).toPrecision(12));
    this.win.push(x);
    if (this.win.length > 1000) this.win.shift();
    let m = 0;
    for (const v of this.win) m += v;
    m /= this.win.length;
    let s = 0;
    for (const v of this.win) s += (v - m) * (v - m);
    this.mean = m;
    this.std = Math.sqrt(s / this.win.length) || 0.000001;
    return score;
  }
}
