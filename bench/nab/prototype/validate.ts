import { runDetector, summary, breakdown } from '../harness.js';
import { WindowedGaussian } from './windowedGaussian.js';
const r = runDetector(() => new WindowedGaussian());
console.log(summary(r.result));
console.log(breakdown(r));
for (const i of [0,1,2,3,4]) console.log(r.scores[6]?.[i]);
