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
 * - the default detector's TypeScript reference (test/reference/detector.ts),
 *   the same design as the wasm core's (bench/nab.ts scores the core itself).
 *
 * --files prints per-file detail; --sensitivity re-runs the prototype with
 * one setting changed at a time (and with stages removed).
 */
import { breakdown, runDetector, summary, type StreamingDetector } from './harness.js';
import { PROFILES, PROFILE_NAMES, scoreFile } from './scorer.js';
import { DEFAULT_SETTINGS, SurpriseLikelihoodDetector, type DetectorSettings } from '../../test/reference/detector.js';
import { SeedRule, WindowedGaussian } from './baselines.js';

const args = new Set(process.argv.slice(2));

function report(name: string, factory: () => StreamingDetector): void {
  const run = runDetector(factory);
  console.log(`\n== ${name}`);
  console.log(summary(run.result));
  console.log(`detector time ${run.detectMs.toFixed(0)} ms for ${run.rows} rows (${((run.detectMs * 1e3) / run.rows).toFixed(2)} µs/row)`);
  const text = breakdown(run);
  console.log(args.has('--files') ? text : text.split('\n').filter((l) => !l.startsWith('  ')).join('\n'));
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
report('prototype default detector (surprise likelihood)', () => new SurpriseLikelihoodDetector());

if (args.has('--sensitivity')) {
  const rows: [string, Partial<DetectorSettings>][] = [
    ['defaults', {}],
    ['no seasonal channel', { useSeasonal: false }],
    ['no last-value channel', { useLast: false }],
    ['no novelty rule', { noveltyTolerance: Infinity }],
    ['no cool-down', { coolDownRows: 0 }],
    ['no hour-of-day scale', { scaleBuckets: 1 }],
    ['sigma 2.5', { sigma: 2.5 }],
    ['sigma 3.5', { sigma: 3.5 }],
    ['bucketAlpha 0.005', { bucketAlpha: 0.005 }],
    ['bucketAlpha 0.02', { bucketAlpha: 0.02 }],
    ['bucketAlpha 0.05', { bucketAlpha: 0.05 }],
    ['scaleBuckets 12', { scaleBuckets: 12 }],
    ['scaleBuckets 48', { scaleBuckets: 48 }],
    ['weekSlots 336', { weekSlots: 336 }],
    ['weekSlots 672', { weekSlots: 672 }],
    ['averagingWindow 5', { averagingWindow: 5 }],
    ['averagingWindow 20', { averagingWindow: 20 }],
    ['learningPeriod 150', { learningPeriod: 150 }],
    ['learningPeriod 600', { learningPeriod: 600 }],
    ['historyAlpha 1/2000', { historyAlpha: 1 / 2000 }],
    ['historyAlpha 1/20000', { historyAlpha: 1 / 20000 }],
    ['noveltyTolerance 0.02', { noveltyTolerance: 0.02 }],
    ['noveltyTolerance 0.1', { noveltyTolerance: 0.1 }],
    ['coolDownRows 20', { coolDownRows: 20 }],
    ['coolDownRows 100', { coolDownRows: 100 }],
    ['coolDownRows 200', { coolDownRows: 200 }],
    ['scaleAlpha 0.003', { scaleAlpha: 0.003 }],
    ['scaleAlpha 0.03', { scaleAlpha: 0.03 }],
  ];
  console.log('\n== sensitivity (one change at a time from', JSON.stringify(DEFAULT_SETTINGS), ')');
  console.log('| variant | standard | low FP | low FN |\n|---|---|---|---|');
  for (const [name, s] of rows) {
    const r = runDetector(() => new SurpriseLikelihoodDetector(s)).result;
    console.log(`| ${name} | ${r.standard.score.toFixed(1)} | ${r.reward_low_FP_rate.score.toFixed(1)} | ${r.reward_low_FN_rate.score.toFixed(1)} |`);
  }
}
