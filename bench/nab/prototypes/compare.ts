/**
 * Per-file comparison of today's detector (first line of each pair) and a
 * prototype design (second line), each at its own corpus threshold:
 *
 *   node dist/bench/nab/prototypes/compare.js '{…EnsembleSettings…}'
 */
import { breakdown, runDetector } from '../harness.js';
import { SurpriseLikelihoodDetector } from '../surpriseLikelihood.js';
import { EnsembleDetector } from '../../../test/reference/detector.js';

const a = breakdown(runDetector(() => new SurpriseLikelihoodDetector())).split('\n');
const b = breakdown(runDetector(() => new EnsembleDetector(JSON.parse(process.argv[2] ?? '{}')))).split('\n');
a.forEach((l, i) => {
  console.log(l.replace(/^\s+/, '').slice(0, 110) + '\n   ' + (b[i] ?? '').replace(/^\s+/, '').slice(60));
});
