import { it } from 'vitest';
import { ReferenceHolt } from '../reference/holt.js';
it('dbg', () => {
  const series = [1, 5, 3, 7];
  for (const [a, b, g] of [[0.3, 0.1, 0.3], [0.5, 0.3, 0.5], [0.3, 0.3, 0.1]]) {
    const h = new ReferenceHolt({ alpha: a!, beta: b!, gamma: g!, horizon: 4, season: { kind: 'rows', m: 4 } });
    const p = new ReferenceHolt({ alpha: a!, beta: b!, gamma: g!, horizon: 4, season: { kind: 'none' } });
    const errs: number[] = []; const perrs: number[] = []; const herrs: number[] = [];
    for (let t = 0; t < 200; t++) { const x = series[t % 4]!; const o = h.step(0, t, x); const q = p.step(0, t, x); errs.push(Math.abs(o.forecast - series[(t + 1) % 4]!)); herrs.push(Math.abs(o.forecastH - x)); perrs.push(Math.abs(q.forecast - series[(t + 1) % 4]!)); }
    const mx = (xs: number[], from: number, to: number) => Math.max(...xs.slice(from, to));
    console.log(a, b, g, [0, 4, 8, 20, 40, 60, 80, 100, 120, 160, 196].map((s) => mx(errs, s, s + 4).toExponential(2)).join(' '), '| h', mx(herrs, 116, 120).toExponential(2), '| plain', mx(perrs, 116, 120).toFixed(2));
  }
});
