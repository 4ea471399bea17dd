/** Scratch lab: configurable streaming detector pieces for NAB experiments. */
import type { StreamingDetector } from '../harness.js';

/** Standard normal upper tail Q(z) for z ≥ 0 (complementary error function, ~1e-15 rel). */
export function qTail(z: number): number {
  if (z < 0) return 1 - qTail(-z);
  const x = z / Math.SQRT2;
  if (x < 2) {
    // erf series with positive terms
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 0.5 - (1 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // continued fraction for erfc (Lentz)
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (0.5 * Math.exp(-x * x)) / (f * Math.sqrt(Math.PI));
}

/** Exponentially weighted mean and variance. */
export class EwStats {
  mean = 0;
  var = 0;
  n = 0;
  constructor(public alpha: number, public warm = 0) {}
  push(x: number): void {
    this.n++;
    const a = Math.max(this.alpha, 1 / this.n);
    const d = x - this.mean;
    this.mean += a * d;
    this.var = (1 - a) * (this.var + a * d * d);
  }
  get std(): number {
    return Math.sqrt(this.var);
  }
}

/** Rolling window mean/var over the last N values (ring buffer + running sums). */
export class RollStats {
  private buf: Float64Array;
  private i = 0;
  n = 0;
  private s = 0;
  private s2 = 0;
  constructor(public size: number) {
    this.buf = new Float64Array(size);
  }
  push(x: number): void {
    if (this.n === this.size) {
      const old = this.buf[this.i] as number;
      this.s -= old;
      this.s2 -= old * old;
    } else this.n++;
    this.buf[this.i] = x;
    this.i = (this.i + 1) % this.size;
    this.s += x;
    this.s2 += x * x;
  }
  get mean(): number {
    return this.n ? this.s / this.n : 0;
  }
  get var(): number {
    if (this.n < 2) return 0;
    const m = this.s / this.n;
    return Math.max(0, this.s2 / this.n - m * m);
  }
  get std(): number {
    return Math.sqrt(this.var);
  }
  recompute(): void {
    // guard against drift of running sums
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < this.n; k++) {
      const v = this.buf[k] as number;
      s += v;
      s2 += v * v;
    }
    this.s = s;
    this.s2 = s2;
  }
}

/** NAB/nupic-style anomaly likelihood over a raw anomaly score in [0,1]. */
export class Likelihood {
  private short: RollStats;
  private hist: RollStats;
  private it = 0;
  private prevTailRed = false;
  private mean = 0;
  private std = 1;
  constructor(
    public avgWindow = 10,
    public histWindow = 8640,
    public learn = 288,
    public estSamples = 100,
    public reestimate = 100,
    public meanFloor = 0.03,
    public varFloor = 0.0003,
    public redFilter = true,
  ) {
    this.short = new RollStats(avgWindow);
    this.hist = new RollStats(histWindow);
  }
  /** Returns the likelihood L in [0,1] (1 = very anomalous). */
  push(raw: number): number {
    this.short.push(raw);
    const avg = this.short.mean;
    let L = 0.5;
    if (this.it >= this.learn + this.estSamples) {
      if (this.it % this.reestimate === 0 || this.it === this.learn + this.estSamples) {
        if (this.it % 5000 === 0) this.hist.recompute();
        this.mean = Math.max(this.hist.mean, this.meanFloor);
        this.std = Math.sqrt(Math.max(this.hist.var, this.varFloor));
      }
      const tail = avg >= this.mean ? qTail((avg - this.mean) / this.std) : 1 - qTail((this.mean - avg) / this.std);
      let t = tail;
      const red = tail <= 1e-5;
      if (this.redFilter && red && this.prevTailRed) t = 1e-3;
      this.prevTailRed = red;
      L = 1 - t;
    }
    if (this.it >= this.learn) this.hist.push(avg);
    this.it++;
    return L;
  }
}

/** log-scaled likelihood as nupic's computeLogLikelihood. */
export function logScore(L: number): number {
  return Math.log(1.0000000001 - L) / -23.02585084720009;
}
