/**
 * Runs streaming detectors over the 24 shared NAB files and prints the three
 * NAB profile scores, a per-category breakdown and the detector run time.
 *
 *   npm run build:ts && node dist/bench/nab/sensitivity.js [--files] [--sensitivity]
 *
 * Detectors:
 * - the seed's rule (rolling z over the last 11 rows incl. the current one,
 *   sample stddev, score 1 if |z| > 2) — the baseline;
 * - NAB's windowedGaussian detector, re-implemented as a check of our scorer
 *   against the published 24-file figure (28.2);
 * - the default detector's TypeScript reference (test/reference/detector.ts,
 *   the ensemble), which the wasm core equals (bench/nab.ts scores the core
 *   itself and checks that);
 * - the previous default (bench/nab/surpriseLikelihood.ts).
 *
 * --files prints per-file detail; --sensitivity re-runs the default detector
 * with one setting changed at a time (and with components removed).
 */
import { breakdown, runDetector, summary, type StreamingDetector } from './harness.js';
import { PROFILES, PROFILE_NAMES, scoreFile } from './scorer.js';
import { DEFAULT_ENSEMBLE, EnsembleDetector, type EnsembleSettings } from '../../test/reference/detector.js';
import { SurpriseLikelihoodDetector } from './surpriseLikelihood.js';
import { SeedRule, WindowedGaussian } from './baselines.js';

const args = new Set(process.argv.slice(2));

function report(name: string, factory: () => StreamingDetector): void {
  const run = runDetector(factory);
  console.log(`\n== ${name}`);
  console.log(summary(run.result));
  console.log(`detector time ${run.detectMs.toFixed(0)} ms for ${run.rows} rows (${((run.detectMs * 1e3) / run.rows).toFixed(2)} µs/row)`);
  const text = breakdown(run);
  console.log(
    args.has('--files')
      ? text
      : text
          .split('\n')
          .filter((l) => !l.startsWith('  '))
          .join('\n'),
  );
}

report('seed rule (rolling z, 11 rows, |z| > 2)', () => new SeedRule());
{
  // The seed's rule is binary: the optimiser can only choose "fire on every 1"
  // (threshold 1) or "never fire" (1.1). Show what firing would score.
  const run = runDetector(() => new SeedRule());
  const forced = PROFILE_NAMES.map((p) => {
    const cm = PROFILES[p];
    let raw = 0;
    run.files.forEach((f, i) => {
      raw += scoreFile({ name: f.name, timestamps: f.times, scores: run.scores[i] as Float64Array, windows: f.windows }, 1, cm).raw;
    });
    const r = run.result[p];
    return `${p} ${((100 * (raw - r.null)) / (r.perfect - r.null)).toFixed(2)}`;
  });
  console.log(`seed rule forced to threshold 1 (i.e. as the binary rule fires): ${forced.join(' | ')}`);
}
report('NAB windowedGaussian (scorer check; published 24-file standard score 28.2)', () => new WindowedGaussian());
report('default detector (ensemble, test/reference/detector.ts)', () => new EnsembleDetector());
report('previous default detector (surprise likelihood)', () => new SurpriseLikelihoodDetector());

if (args.has('--sensitivity')) {
  const rows: [string, Partial<EnsembleSettings>][] = [
    ['defaults', {}],
    ['no last-value component', { last: false }],
    ['no daily component', { daily: false }],
    ['no weekly component', { weekly: false }],
    ['no relative-entropy component', { entropy: false }],
    ['no novelty rule', { novelty: false }],
    ['no cool-down', { coolDownRows: 0 }],
    ['combine max', { combine: 'max' }],
    ['combine or', { combine: 'or' }],
    ['warm-up 400 rows', { warmup: 'rows', warmupRows: 400 }],
    ['sigma 2.5', { sigma: 2.5 }],
    ['sigma 3.5', { sigma: 3.5 }],
    ['scaleAlpha 0.05', { scaleAlpha: 0.05 }],
    ['coolDownRows 30', { coolDownRows: 30 }],
    ['coolDownRows 100', { coolDownRows: 100 }],
    ['entropy c_th 1', { entropyCTh: 1 }],
  ];
  console.log('\n== sensitivity (one change at a time from', JSON.stringify(DEFAULT_ENSEMBLE), ')');
  console.log('| variant | standard | low FP | low FN |\n|---|---|---|---|');
  for (const [name, s] of rows) {
    const r = runDetector(() => new EnsembleDetector(s)).result;
    console.log(`| ${name} | ${r.standard.score.toFixed(1)} | ${r.reward_low_FP_rate.score.toFixed(1)} | ${r.reward_low_FN_rate.score.toFixed(1)} |`);
  }
}
