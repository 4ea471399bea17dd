/**
 * Leave-one-category-out cross-validation (bench/nab/crossValidation.ts) of
 * today's default detector (test/reference/detector.ts) over a small grid of
 * its tuned constants.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/nab/crossValidate.js
 */
import { crossValidate, formatCv, grid, type Candidate } from './crossValidation.js';
import { SurpriseLikelihoodDetector } from '../../test/reference/detector.js';

/** Grid over the baseline's hand-tuned constants; the shipped defaults come first so ties keep them. */
export function baselineCandidates(): Candidate[] {
  return grid({ sigma: [3, 2.5, 3.5], noveltyTolerance: [0.05, 0.02, 0.1], coolDownRows: [10, 30, 100], coolDownCap: [0.3, 0.5] }).map((s) => ({
    label: `sigma ${s.sigma} novelty ${s.noveltyTolerance} cool ${s.coolDownRows}/${s.coolDownCap}`,
    factory: () => new SurpriseLikelihoodDetector(s),
  }));
}

const base = crossValidate(baselineCandidates());
console.log(formatCv('== baseline: SurpriseLikelihoodDetector (sigma × novelty × cool-down rows × cap, 54 settings)', base));
