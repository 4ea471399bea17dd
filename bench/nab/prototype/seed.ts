import type { StreamingDetector } from '../harness.js';
/** The seed's rule: rolling z over the last 11 rows incl. current, sample std, |z| > 2 → 1. */
export class SeedRule implements StreamingDetector {
  private readonly buf: number[] = [];
  update(_t: number, v: number): number {
    this.buf.push(v);
    if (this.buf.length > 11) this.buf.shift();
    const n = this.buf.length;
    if (n < 2) return 0;
    let m = 0;
    for (const x of this.buf) m += x;
    m /= n;
    let s = 0;
    for (const x of this.buf) s += (x - m) * (x - m);
    const sd = Math.sqrt(s / (n - 1));
    if (!(sd > 0)) return 0;
    return Math.abs((v - m) / sd) > 2 ? 1 : 0;
  }
}
