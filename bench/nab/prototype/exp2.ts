import { runDetector, summary, breakdown } from '../harness.js';
import type { StreamingDetector } from '../harness.js';
import { EwStats, Likelihood, logScore, qTail } from './lab.js';

/** residual vs EWMA forecast, scaled by EW RMS of residuals; raw = f(|z|) */
class Det implements StreamingDetector {
  private level = NaN;
  private s: EwStats;
  private lik: Likelihood;
  private min = Infinity; private max = -Infinity;
  constructor(public a: number, as: number, public f: (z: number) => number, public spatial = true, avg = 10) {
    this.s = new EwStats(as);
    this.lik = new Likelihood(avg);
  }
  update(_t: number, x: number): number {
    let z = 0;
    if (Number.isNaN(this.level)) this.level = x;
    else {
      const e = x - this.level;
      const sd = Math.sqrt(this.s.var + this.s.mean * this.s.mean);
      z = sd > 0 ? Math.abs(e) / sd : (e === 0 ? 0 : 10);
      if (this.s.n < 10) z = 0;
      this.s.push(e);
      this.level += this.a * e;
    }
    let s = logScore(this.lik.push(this.f(z)));
    if (this.spatial) {
      if (this.min !== this.max && Number.isFinite(this.min)) {
        const tol = (this.max - this.min) * 0.05;
        if (x > this.max + tol || x < this.min - tol) s = 1;
      }
      if (x > this.max) this.max = x;
      if (x < this.min) this.min = x;
    }
    return s;
  }
}
const uni = (z: number) => 1 - 2 * qTail(z);
const step = (k: number) => (z: number) => (z > k ? 1 : 0);
const ramp = (a: number, b: number) => (z: number) => Math.min(1, Math.max(0, (z - a) / (b - a)));
const pw = (p: number) => (z: number) => Math.pow(1 - 2 * qTail(z), p);
const configs: [string, () => StreamingDetector][] = [];
for (const a of [0.5, 1]) {
  for (const [fn, f] of [['uni', uni], ['step2', step(2)], ['step3', step(3)], ['ramp1-4', ramp(1, 4)], ['ramp2-5', ramp(2, 5)], ['pow10', pw(10)], ['pow100', pw(100)]] as const) {
    configs.push([`ew${a} ${fn}`, () => new Det(a, 0.01, f)]);
  }
}
for (const [name, f] of configs) {
  const r = runDetector(f);
  console.log(name.padEnd(16), summary(r.result), `${r.detectMs.toFixed(0)}ms`);
  if (process.env.BD) console.log(breakdown(r));
}
