import { runDetector, summary, breakdown } from '../harness.js';
import type { StreamingDetector } from '../harness.js';
import { EwStats, Likelihood, RollStats, logScore, qTail } from './lab.js';

type Raw = { update(t: number, x: number): number };

/** z of x vs rolling window of previous N values → raw = 1 - 2Q(|z|) */
class RollZ implements Raw {
  private r: RollStats;
  constructor(n: number) { this.r = new RollStats(n); }
  update(_t: number, x: number): number {
    let raw = 0;
    if (this.r.n >= 2) {
      const sd = this.r.std;
      const z = sd > 0 ? Math.abs(x - this.r.mean) / sd : (x === this.r.mean ? 0 : 10);
      raw = 1 - 2 * qTail(z);
    }
    this.r.push(x);
    return raw;
  }
}
/** residual vs EWMA forecast, scaled by EW std of residuals */
class EwResid implements Raw {
  private level = NaN;
  private s: EwStats;
  constructor(public a: number, as: number) { this.s = new EwStats(as); }
  update(_t: number, x: number): number {
    if (Number.isNaN(this.level)) { this.level = x; return 0; }
    const e = x - this.level;
    const sd = Math.sqrt(this.s.var + this.s.mean * this.s.mean);
    let z = sd > 0 ? Math.abs(e) / sd : (e === 0 ? 0 : 10);
    if (this.s.n < 10) z = 0;
    this.s.push(e);
    this.level += this.a * e;
    return 1 - 2 * qTail(z);
  }
}

class Composite implements StreamingDetector {
  private lik = new Likelihood();
  private min = Infinity; private max = -Infinity;
  constructor(private raw: Raw, private spatial: boolean) {}
  update(t: number, x: number): number {
    const r = this.raw.update(t, x);
    let s = logScore(this.lik.push(r));
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

const configs: [string, () => StreamingDetector][] = [
  //['rollz100', () => new Composite(new RollZ(100), false)],
  //['rollz100+sp', () => new Composite(new RollZ(100), true)],
  //['rollz1000+sp', () => new Composite(new RollZ(1000), true)],
  //['ew0.1+sp', () => new Composite(new EwResid(0.1, 0.01), true)],
  ['ew0.5+sp', () => new Composite(new EwResid(0.5, 0.01), true)],
  ['spatial only', () => new Composite({ update: () => 0 }, true)],
];
for (const [name, f] of configs) {
  const r = runDetector(f);
  console.log(name.padEnd(16), summary(r.result), `${r.detectMs.toFixed(0)}ms`);
  if (process.env.BD) console.log(breakdown(r));
}
