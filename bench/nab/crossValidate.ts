/**
 * Leave-one-category-out cross-validation (bench/nab/crossValidation.ts) of
 * the previous default detector (bench/nab/surpriseLikelihood.ts) and of
 * today's default, the issue-11 ensemble (test/reference/detector.ts), each
 * over a small grid of its tuned constants (bench/nab/cvGrid.ts), on the 24
 * shared NAB files. (bench/nab.ts prints the ensemble's CV table too.)
 *
 *   npx tsc -p tsconfig.json && node dist/bench/nab/crossValidate.js
 *
 * Prints, per detector, the per-fold table (chosen setting, training score,
 * held-out score at its own threshold and at the training threshold) and the
 * plain (all 24 files) scores of the setting the same rule picks on all files
 * and of the untuned defaults; ends with one JSON line:
 * {"bench":"nab-cv","baseline_cv_standard":…,"prototype_cv_standard":…,"prototype_standard":…,"prototype_bytes_per_key":…}
 */
import { crossValidate, formatCv, selectOnAll, type Candidate, type CvResult } from './crossValidation.js';
import { breakdown, nabFiles, runDetector, summary, type DetectorFactory } from './harness.js';
import { EnsembleDetector } from '../../test/reference/detector.js';
import { baselineCandidates, ensembleCandidates } from './cvGrid.js';

function plain(name: string, factory: DetectorFactory): number {
  const run = runDetector(factory);
  console.log(`plain (all 24 files), ${name}: ${summary(run.result)}`);
  console.log(
    breakdown(run)
      .split('\n')
      .filter((l) => !l.startsWith('  '))
      .map((l) => '  ' + l)
      .join('\n'),
  );
  console.log(`  detector time ${((run.detectMs * 1e3) / run.rows).toFixed(2)} µs/row over ${run.rows} rows`);
  return run.result.standard.score;
}

function section(title: string, candidates: Candidate[]): { cv: CvResult; selected: string; standard: number } {
  console.log(`\n== ${title}`);
  const cv = crossValidate(candidates);
  console.log(formatCv(`leave-one-category-out over ${candidates.length} settings`, cv));
  const first = candidates[0] as Candidate;
  const sel = selectOnAll(candidates, nabFiles());
  plain(`defaults (${first.label})`, first.factory);
  const standard = sel.candidate === first ? sel.score : plain(`selected on all files (${sel.candidate.label})`, sel.candidate.factory);
  if (sel.candidate === first) console.log('  (the defaults are also the setting selected on all files)');
  return { cv, selected: sel.candidate.label, standard };
}

const base = section('baseline: SurpriseLikelihoodDetector (bench/nab/surpriseLikelihood.ts)', baselineCandidates());
const proto = section('default: EnsembleDetector (test/reference/detector.ts)', ensembleCandidates());
const bytes = new EnsembleDetector().stateBytes;
console.log(`\nprototype state: ${bytes} bytes per key`);
console.log(
  JSON.stringify({
    bench: 'nab-cv',
    baseline_cv_standard: Number(base.cv.cvStandard.toFixed(2)),
    baseline_cv_strict: Number(base.cv.cvStrict.toFixed(2)),
    prototype_cv_standard: Number(proto.cv.cvStandard.toFixed(2)),
    prototype_cv_strict: Number(proto.cv.cvStrict.toFixed(2)),
    prototype_standard: Number(proto.standard.toFixed(2)),
    prototype_bytes_per_key: bytes,
  }),
);
