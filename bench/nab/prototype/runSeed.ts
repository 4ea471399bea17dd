import { runDetector, summary, breakdown } from '../harness.js';
import { SeedRule } from './seed.js';
const r = runDetector(() => new SeedRule());
console.log(summary(r.result));
console.log(breakdown(r));
