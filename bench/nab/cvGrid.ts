/**
 * The tuning grids of the leave-one-category-out cross-validation
 * (bench/nab/crossValidation.ts), used by bench/nab/crossValidate.ts and
 * bench/nab.ts: the previous default's hand-tuned constants and the default
 * ensemble's four CV-tuned constants.
 */
import { grid, type Candidate } from './crossValidation.js';
import { SurpriseLikelihoodDetector } from './surpriseLikelihood.js';
import { EnsembleDetector } from '../../test/reference/detector.js';

/** Grid over the baseline's hand-tuned constants; the shipped defaults come first so ties keep them. */
export function baselineCandidates(): Candidate[] {
  return grid({ sigma: [3, 2.5, 3.5], noveltyTolerance: [0.05, 0.02, 0.1], coolDownRows: [10, 30, 100], coolDownCap: [0.3, 0.5] }).map((s) => ({
    label: `sigma ${s.sigma} novelty ${s.noveltyTolerance} cool ${s.coolDownRows}/${s.coolDownCap}`,
    factory: () => new SurpriseLikelihoodDetector(s),
  }));
}

/**
 * Grid over the default ensemble's four tuned constants (36 settings). First = the
 * untuned literature defaults (three-sigma rule, EW rate 0.01, cool-down of
 * nupic's 10-row averaging window, Wang et al.'s c_th = 4), so ties keep them.
 */
export function ensembleCandidates(): Candidate[] {
  return grid({ sigma: [3, 2.5, 3.5], scaleAlpha: [0.01, 0.05], coolDownRows: [10, 30, 100], entropyCTh: [4, 1] }).map((s) => ({
    label: `sigma ${s.sigma} alpha ${s.scaleAlpha} cool ${s.coolDownRows} cTh ${s.entropyCTh}`,
    factory: () => new EnsembleDetector(s),
  }));
}
