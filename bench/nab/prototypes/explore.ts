/** Scratch: design iteration for the issue-11 prototype (not part of the bench). */
import { crossValidate, formatCv, grid } from '../crossValidation.js';
import { breakdown, runDetector, summary } from '../harness.js';
import { EnsembleDetector, type EnsembleSettings } from './ensemble.js';

const designs: Record<string, Partial<EnsembleSettings>> = JSON.parse(process.argv[2] ?? '{"all":{}}');
const g = JSON.parse(process.argv[3] ?? '{"sigma":[3,2.5,3.5],"coolDownRows":[10,50,200]}');
for (const [name, d] of Object.entries(designs)) {
  const plain = runDetector(() => new EnsembleDetector(d));
  console.log(`\n== ${name} ${JSON.stringify(d)} bytes ${new EnsembleDetector(d).stateBytes} µs/row ${((plain.detectMs * 1e3) / plain.rows).toFixed(2)}`);
  console.log('plain defaults: ' + summary(plain.result));
  console.log(breakdown(plain).split('\n').filter((l) => !l.startsWith('  ')).join('\n'));
  const cands = grid(g).map((s) => ({
    label: JSON.stringify(s),
    factory: () => {
      return new EnsembleDetector({ ...d, ...(s as Partial<EnsembleSettings>) });
    },
  }));
  console.log(formatCv('cv', crossValidate(cands)));
}
