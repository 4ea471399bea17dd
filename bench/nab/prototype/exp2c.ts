import type { StreamingDetector } from '../harness.js';
import { EwStats, Likelihood, logScore } from './lab.js';
export class Det3 implements StreamingDetector {
  private prev = NaN;
  private s = new EwStats(0.01);
  private lik = new Likelihood(10);
  private min = Infinity; private max = -Infinity;
  update(_t: number, x: number): number {
    let z = 0;
    if (!Number.isNaN(this.prev)) {
      const e = x - this.prev;
      const sd = Math.sqrt(this.s.var + this.s.mean * this.s.mean);
      z = sd > 0 ? Math.abs(e) / sd : (e === 0 ? 0 : 10);
      if (this.s.n < 10) z = 0;
      this.s.push(e);
    }
    this.prev = x;
    let s = logScore(this.lik.push(z > 3 ? 1 : 0));
    if (this.min !== this.max && Number.isFinite(this.min)) {
      const tol = (this.max - this.min) * 0.05;
      if (x > this.max + tol || x < this.min - tol) s = 1;
    }
    if (x > this.max) this.max = x;
    if (x < this.min) this.min = x;
    return s;
  }
}
