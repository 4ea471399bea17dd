/** Scratch: per-file comparison of the baseline and a prototype design at each one's own corpus threshold. */
import { breakdown, runDetector } from '../harness.js';
import { SurpriseLikelihoodDetector } from '../../../test/reference/detector.js';
import { EnsembleDetector } from './ensemble.js';

const a = breakdown(runDetector(() => new SurpriseLikelihoodDetector())).split('\n');
const b = breakdown(runDetector(() => new EnsembleDetector(JSON.parse(process.argv[2] ?? '{}')))).split('\n');
a.forEach((l, i) => console.log(l.replace(/^\s+/, '').slice(0, 110) + '\n   ' + (b[i] ?? '').replace(/^\s+/, '').slice(60)));
