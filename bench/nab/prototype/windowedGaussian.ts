/** Scratch: NAB's windowedGaussian detector, to validate the scorer against the published 28.2. */
import type { StreamingDetector } from '../harness.js';

/** erf(x) for x ≥ 0 via the all-positive series e^{-x²}·Σ 2ⁿx^{2n+1}/(2n+1)!! (no cancellation). */
export function erfPos(x: number): number {
  if (x > 6) return 1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

export class WindowedGaussian implements StreamingDetector {
  private readonly win: number[] = [];
  private mean = 0;
  private std = 1;
  update(_t: number, v: number): number {
    let score = 0;
    if (this.win.length > 0) {
      const z = Math.abs(v - this.mean) / this.std;
      score = process.env.FULL ? 0.5 + 0.5 * erfPos(z / Math.SQRT2) : Number((0.5 + 0.5 * erfPos(z / Math.SQRT2)).toPrecision(12)); // NAB results CSVs hold Python-2 str() floats: 12 significant digits
    }
    this.win.push(v);
    if (this.win.length > 1000) this.win.shift();
    let m = 0;
    for (const x of this.win) m += x;
    m /= this.win.length;
    let s = 0;
    for (const x of this.win) s += (x - m) * (x - m);
    this.mean = m;
    this.std = Math.sqrt(s / this.win.length) || 0.000001;
    return score;
  }
}
