import { runDetector, summary, breakdown } from '../harness.js';
import { plotFiles } from './plot.js';
import { Det3 } from './exp2c.js';
const r = runDetector(() => new Det3());
console.log(summary(r.result));
console.log(breakdown(r));
plotFiles('/tmp/s_a.png', r.files.slice(5, 12), r.scores.slice(5, 12), r.result.standard.threshold);
plotFiles('/tmp/s_b.png', r.files.slice(12), r.scores.slice(12), r.result.standard.threshold);
