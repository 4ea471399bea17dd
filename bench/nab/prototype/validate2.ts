import { nabFiles } from '../harness.js';
import { erfPos } from './windowedGaussian.js';
for (const f of nabFiles()) {
  const win: number[] = [];
  let mean = 0, std = 1;
  const prob = Math.min(Math.floor(0.15 * f.values.length), 750);
  for (let i = 0; i < f.values.length; i++) {
    const v = f.values[i] as number;
    if (win.length > 0 && i >= prob) {
      const z = Math.abs(v - mean) / std;
      if (z > 6.5 && z < 8) console.log(f.name, i, z, (0.5 + 0.5 * erfPos(z / Math.SQRT2)).toPrecision(14));
    }
    win.push(v); if (win.length > 1000) win.shift();
    let m = 0; for (const x of win) m += x; m /= win.length;
    let s = 0; for (const x of win) s += (x - m) * (x - m);
    mean = m; std = Math.sqrt(s / win.length) || 0.000001;
  }
}
