/**
 * Design iteration for the issue-11 prototype: for each named design (a
 * partial EnsembleSettings), the plain score on all 24 files with the
 * defaults, the per-category breakdown, and the leave-one-category-out CV
 * over a grid of the tuned constants.
 *
 *   node dist/bench/nab/prototypes/explore.js '{"name":{…settings…},…}' '{"sigma":[3,2.5,3.5],…grid…}'
 *
 * Defaults: the chosen design and the grid of bench/nab/crossValidate.ts.
 */
import { crossValidate, formatCv, grid } from '../crossValidation.js';
import { breakdown, runDetector, summary } from '../harness.js';
import { EnsembleDetector, type EnsembleSettings } from '../../../test/reference/detector.js';

const designs: Record<string, Partial<EnsembleSettings>> = JSON.parse(process.argv[2] ?? '{"chosen":{}}');
const axes = JSON.parse(process.argv[3] ?? '{"sigma":[3,2.5,3.5],"scaleAlpha":[0.01,0.05],"coolDownRows":[10,30,100],"entropyCTh":[4,1]}') as Record<
  string,
  unknown[]
>;
for (const [name, d] of Object.entries(designs)) {
  const plain = runDetector(() => new EnsembleDetector(d));
  console.log(`\n== ${name} ${JSON.stringify(d)} bytes ${new EnsembleDetector(d).stateBytes} µs/row ${((plain.detectMs * 1e3) / plain.rows).toFixed(2)}`);
  console.log('plain defaults: ' + summary(plain.result));
  console.log(
    breakdown(plain)
      .split('\n')
      .filter((l) => !l.startsWith('  '))
      .join('\n'),
  );
  const candidates = grid(axes).map((s) => ({
    label: JSON.stringify(s),
    factory: () => new EnsembleDetector({ ...d, ...(s as Partial<EnsembleSettings>) }),
  }));
  console.log(formatCv('cv', crossValidate(candidates)));
}
