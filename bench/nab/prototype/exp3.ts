import { runDetector, summary, breakdown } from '../harness.js';
import type { StreamingDetector } from '../harness.js';
import { Likelihood, logScore } from './lab.js';
import { type Forecaster, RandomWalk, HoltWinters, SeasonalNaive, Ewma } from './models.js';

const DAY = 86400000;
/** per-model surprise tracker */
class Tracked {
  mae = NaN; // EW mean |e| (scale)
  perf = NaN; // long-run EW |e| for selection
  n = 0;
  constructor(public m: Forecaster, private as: number, private ap: number) {}
  /** z of x for this model (NaN if no forecast) then update */
  step(t: number, x: number): number {
    const f = this.m.forecast(t);
    let z = NaN;
    if (!Number.isNaN(f)) {
      const e = Math.abs(x - f);
      if (this.n >= 10) { const sd = 1.2533 * this.mae; z = sd > 0 ? e / sd : (e === 0 ? 0 : 100); }
      const ec = Number.isNaN(this.mae) || this.n < 10 ? e : Math.min(e, 5 * 1.2533 * this.mae);
      const a = Math.max(this.as, 1 / (this.n + 1));
      this.mae = Number.isNaN(this.mae) ? ec : this.mae + a * (ec - this.mae);
      const ap = Math.max(this.ap, 1 / (this.n + 1));
      this.perf = Number.isNaN(this.perf) ? e : this.perf + ap * (e - this.perf);
      this.n++;
    }
    this.m.update(t, x);
    return z;
  }
}
type Combine = 'min' | 'best' | 'first';
class Det implements StreamingDetector {
  private lik: Likelihood;
  private min = Infinity; private max = -Infinity;
  constructor(private models: Tracked[], private combine: Combine, private k = 3, private spatial = true) { this.lik = new Likelihood(); }
  update(t: number, x: number): number {
    const zs = this.models.map((m) => m.step(t, x));
    let z = 0;
    if (this.combine === 'first') z = zs[0] ?? 0;
    else if (this.combine === 'min') { z = Infinity; for (const v of zs) if (!Number.isNaN(v)) z = Math.min(z, v); if (z === Infinity) z = 0; }
    else {
      let bi = -1; let bp = Infinity;
      this.models.forEach((m, i) => { if (!Number.isNaN(zs[i] as number) && m.n > 50 && m.perf < bp) { bp = m.perf; bi = i; } });
      z = bi >= 0 ? (zs[bi] as number) : 0;
    }
    if (Number.isNaN(z)) z = 0;
    let s = logScore(this.lik.push(z > this.k ? 1 : 0));
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
const T = (m: Forecaster) => new Tracked(m, 0.01, 0.001);
const configs: [string, () => StreamingDetector][] = [
  ['rw', () => new Det([T(new RandomWalk())], 'first')],
  ['hw daily', () => new Det([T(new HoltWinters(0.5, 0, 0.1, DAY, 288))], 'first')],
  ['hw daily a.2', () => new Det([T(new HoltWinters(0.2, 0, 0.1, DAY, 288))], 'first')],
  ['snaive daily', () => new Det([T(new SeasonalNaive(DAY, 288))], 'first')],
  ['best rw/hwd', () => new Det([T(new RandomWalk()), T(new HoltWinters(0.5, 0, 0.1, DAY, 288))], 'best')],
  ['best rw/hwd/hww', () => new Det([T(new RandomWalk()), T(new HoltWinters(0.5, 0, 0.1, DAY, 288)), T(new HoltWinters(0.5, 0, 0.1, 7 * DAY, 7 * 96))], 'best')],
  ['min rw/hwd', () => new Det([T(new RandomWalk()), T(new HoltWinters(0.5, 0, 0.1, DAY, 288))], 'min')],
  ['min rw/snd', () => new Det([T(new RandomWalk()), T(new SeasonalNaive(DAY, 288))], 'min')],
];
for (const [name, f] of configs) {
  if (process.env.ONLY && !name.includes(process.env.ONLY)) continue;
  const r = runDetector(f);
  console.log(name.padEnd(18), summary(r.result), `${r.detectMs.toFixed(0)}ms`);
  if (process.env.BD) console.log(breakdown(r));
}
