/**
 * `npm run bench:nab`: eddy's default anomaly detector on the 24 shared files
 * of the Numenta Anomaly Benchmark (../shared/data/nab), scored with our
 * implementation of NAB's rules (bench/nab/scorer.ts).
 *
 * 1. Checks the scorer: a detector that never fires scores 0, one that fires
 *    exactly at each window's first row scores 100 (every profile).
 * 2. Runs the real `eddy detect` code path over the data directory into a
 *    temporary directory (timed: rows/s), reads the outputs back, checks one
 *    row per input row in order with scores in [0, 1], and scores them.
 * 3. Scores the seed's rule (11-row z-score, |z| > 2, as a 0/1 score) from the
 *    wasm core's z-score kernel.
 * 4. Runs `npm start`'s demo pipeline over 48 event-hours and scores its
 *    flagged windows against the spikes the generator injected (precision,
 *    recall, false alarms in the demo's first 15 minutes; bench/nab/demoStream.ts).
 * 5. Checks that the scores `eddy detect` wrote (the wasm core's, as
 *    shortest round-trip text, i.e. exactly) equal the TypeScript reference's
 *    (test/reference/detector.ts) on every row of the 24 files: prints the
 *    max |difference| and fails above 1e-9. Both store f32 where the core
 *    does (the reference through Float32Array / Math.fround), so f32 storage
 *    needs no tolerance; what is left is exp/log differing in the last bit
 *    between the engines' libm (≈ 1e-15).
 * 6. The cross-validated figure: leave-one-category-out over the reference's
 *    CV grid (bench/nab/cvGrid.ts, bench/nab/crossValidation.ts), per-fold table.
 * 7. Bytes of detector state per key as the wasm core reports it.
 * 8. Steady-state throughput: `eddy detect` over one long series
 *    (machine_temperature_system_failure's values repeated with continuing
 *    5-minute timestamps, STEADY_ROWS rows, written to a temporary file), where
 *    the per-file setup the 24 short files pay (a core, two files opened,
 *    first calls) does not dominate.
 *
 * Prints a table and, last, one JSON line:
 * {"bench":"nab","standard":…,"reward_low_FP_rate":…,"reward_low_FN_rate":…,"seed_rule_standard":…,"rows_per_s":…,"rows_per_s_one_long_file":…,"demo_precision":…,"demo_recall":…,"demo_warmup_alarms":…,"cv_standard":…,"cv_strict":…,"bytes_per_key":…,"max_abs_diff_reference":…}
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNab, nabRoot, parseNabTimestamp, type NabFile } from './nab/data.js';
import { PROFILE_NAMES, scoreCorpus, type CorpusResult } from './nab/scorer.js';
import { breakdown } from './nab/harness.js';
import { detectCommand, detectPlan } from '../src/cli/detectCommand.js';
import { BatchEngine } from '../src/engine/batchEngine.js';
import { loadCore } from '../src/node/loadCore.js';
import { S_IS_ANOMALY } from '../src/core/exports.js';
import type { QueryPlan } from '../src/engine/plan.js';
import { scoreDemoStream } from './nab/demoStream.js';
import { EnsembleDetector } from '../test/reference/detector.js';
import { crossValidate, formatCv } from './nab/crossValidation.js';
import { ensembleCandidates } from './nab/cvGrid.js';

const files = loadNab();
const corpus = (scores: ArrayLike<number>[]) => files.map((f, i) => ({ name: f.name, timestamps: f.times, scores: scores[i]!, windows: f.windows }));
const line = (r: CorpusResult) => PROFILE_NAMES.map((p) => `${p} ${r[p].score.toFixed(2)} (threshold ${r[p].threshold.toFixed(3)})`).join(' · ');

// 1. the scorer's own check
const never = scoreCorpus(corpus(files.map((f) => new Float64Array(f.values.length))));
const firstRows = files.map((f) => {
  const s = new Float64Array(f.values.length);
  for (const [start] of f.windows) s[f.times.indexOf(parseNabTimestamp(start))] = 1;
  return s;
});
const perfect = scoreCorpus(corpus(firstRows));
for (const p of PROFILE_NAMES) {
  if (Math.abs(never[p].score) > 1e-9 || Math.abs(perfect[p].score - 100) > 1e-9) {
    throw new Error(`scorer check failed for ${p}: never ${never[p].score}, perfect ${perfect[p].score}`);
  }
}
console.log('scorer check: never-fire 0, first-row 100 on every profile');

// 2. eddy detect over the directory
const out = mkdtempSync(join(tmpdir(), 'eddy-nab-'));
let stderr = '';
const t0 = performance.now();
const code = await detectCommand(join(nabRoot(), 'data'), out, {
  write: (s: string) => {
    stderr += s;
  },
});
const seconds = (performance.now() - t0) / 1000;
if (code !== 0) throw new Error(`eddy detect exited ${code}: ${stderr}`);
const rows = files.reduce((n, f) => n + f.values.length, 0);
const detected = files.map((f: NabFile) => {
  const lines = readFileSync(join(out, f.name), 'utf8').trim().split('\n');
  if (lines[0] !== 'timestamp,value,anomaly_score') throw new Error(`${f.name}: bad header ${lines[0]}`);
  if (lines.length - 1 !== f.values.length) throw new Error(`${f.name}: ${lines.length - 1} output rows for ${f.values.length} input rows`);
  return Float64Array.from(lines.slice(1), (l, i) => {
    const [ts, , score] = l.split(',');
    if (ts !== f.timestamps[i]) throw new Error(`${f.name} row ${i + 1}: timestamp ${ts}, expected ${f.timestamps[i]}`);
    const s = Number(score);
    if (!(s >= 0 && s <= 1)) throw new Error(`${f.name} row ${i + 1}: score ${score} outside [0, 1]`);
    return s;
  });
});
rmSync(out, { recursive: true, force: true });
const eddyResult = scoreCorpus(corpus(detected));

// 3. the seed's rule, from the core's z-score kernel
/** The seed's 11-row |z| > 2 rule over the same events plan `eddy detect` scores with (detectPlan), instead of the default score. */
const seedPlan: QueryPlan = {
  ...detectPlan(),
  name: 'seed-rule',
  analytics: { zscore: { mode: 'rows', rows: 11, timeMs: 0, threshold: 2 }, score: false, thresholds: [] },
};
const seedScores = files.map((f) => {
  const engine = new BatchEngine(seedPlan, loadCore(), f.name, false);
  const rowsOf = Array.from(f.values, (value, i) => ({ timestamp: f.times[i]!, value }));
  engine.processBatch({ rows: rowsOf, errors: [] });
  const s = engine.eventScores();
  return Float64Array.from(f.values, (_, i) => s.data[s.offset + i * s.width + S_IS_ANOMALY]!);
});
const seedResult = scoreCorpus(corpus(seedScores));

// 4. the demo stream
const demo = await scoreDemoStream(48);

// 5. the wasm core's scores = the reference's
const TOLERANCE = 1e-9;
let maxDiff = 0;
let worstAt = '';
files.forEach((f, i) => {
  const d = new EnsembleDetector();
  const got = detected[i]!;
  for (let r = 0; r < f.values.length; r++) {
    const e = Math.abs(got[r]! - d.update(f.times[r]!, f.values[r]!));
    if (!(e <= maxDiff)) {
      maxDiff = e;
      worstAt = `${f.name} row ${r + 1}`;
    }
  }
});
if (!(maxDiff <= TOLERANCE))
  throw new Error(`wasm detector differs from test/reference/detector.ts: max |difference| ${maxDiff} at ${worstAt} (tolerance ${TOLERANCE})`);

// 6. cross-validation over the reference's grid
const candidates = ensembleCandidates();
const cv = crossValidate(candidates);

// 7. bytes of detector state per key, as the core reports them
const probe = loadCore();
probe.enableWindows(false);
probe.configureStage(0, { detector: true });
const bytesPerKey = probe.exports.stats_detector_key_bytes(0);
if (!(bytesPerKey > 0 && bytesPerKey <= 4096)) throw new Error(`detector state ${bytesPerKey} bytes per key, over 4 KB`);

// 8. one long series
const STEADY_ROWS = Number(process.env.STEADY_ROWS ?? 2_000_000);
const long = files.find((f) => f.name.includes('machine_temperature'))!;
const steadyDir = mkdtempSync(join(tmpdir(), 'eddy-nab-long-'));
const steadyIn = join(steadyDir, 'long.csv');
{
  const step = 300_000;
  const t0 = long.times[0]!;
  let text = 'timestamp,value\n';
  for (let r = 0; r < STEADY_ROWS; r++)
    text += `${new Date(t0 + r * step).toISOString().slice(0, 19).replace('T', ' ')},${long.values[r % long.values.length]}\n`;
  writeFileSync(steadyIn, text);
}
const s0 = performance.now();
const steadyCode = await detectCommand(steadyIn, join(steadyDir, 'long.out.csv'), { write: () => undefined });
const steadySeconds = (performance.now() - s0) / 1000;
rmSync(steadyDir, { recursive: true, force: true });
if (steadyCode !== 0) throw new Error(`eddy detect on the long series exited ${steadyCode}`);

console.log(`\neddy detect (default detector): ${line(eddyResult)}`);
console.log(
  breakdown({ result: eddyResult, scores: detected, files, detectMs: seconds * 1000, rows })
    .split('\n')
    .filter((l) => !l.startsWith('  '))
    .join('\n'),
);
console.log(`seed rule (11-row z > 2 as 0/1):  ${line(seedResult)}`);
console.log(`published on these 24 files (standard): ARTime 68.8 · Numenta HTM 64.9 · CAD OSE 57.5 · KNN CAD 53.5 · windowed Gaussian 28.2`);
console.log(`eddy detect: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s (24 files, CSV in and out)`);
console.log(
  `eddy detect, one long series: ${STEADY_ROWS} rows in ${steadySeconds.toFixed(2)} s = ${Math.round(STEADY_ROWS / steadySeconds)} rows/s (CSV in and out)`,
);
console.log(
  `demo stream (${demo.hours} event-hours, ${demo.spikes} injected spikes, ${demo.windows} windows): ${demo.flagged} flagged (score ≥ 0.5), recall ${demo.recall.toFixed(3)}; strict: precision ${demo.precision.toFixed(3)}, ${demo.falseAlarms} false alarms, ${demo.warmupAlarms} of them in the demo's first 15 minutes; exit windows counted as their spike's: precision ${demo.precisionWithExits.toFixed(3)}, ${demo.falseAlarmsWithExits} false alarms, ${demo.warmupAlarmsWithExits} in the first 15 minutes`,
);
console.log(
  `wasm detector = reference (test/reference/detector.ts) on all ${rows} rows: max |difference| ${maxDiff.toExponential(2)} (tolerance ${TOLERANCE}: f32 storage is modelled by both, only libm's last bit differs)`,
);
console.log(formatCv(`cross-validated (leave one category out, ${candidates.length} settings of the reference's grid)`, cv));
console.log(`detector state: ${bytesPerKey} bytes per key (wasm core, stats_detector_key_bytes)`);
console.log(
  JSON.stringify({
    bench: 'nab',
    standard: Number(eddyResult.standard.score.toFixed(2)),
    reward_low_FP_rate: Number(eddyResult.reward_low_FP_rate.score.toFixed(2)),
    reward_low_FN_rate: Number(eddyResult.reward_low_FN_rate.score.toFixed(2)),
    seed_rule_standard: Number(seedResult.standard.score.toFixed(2)),
    seed_rule_reward_low_FP_rate: Number(seedResult.reward_low_FP_rate.score.toFixed(2)),
    seed_rule_reward_low_FN_rate: Number(seedResult.reward_low_FN_rate.score.toFixed(2)),
    rows_per_s: Math.round(rows / seconds),
    rows_per_s_one_long_file: Math.round(STEADY_ROWS / steadySeconds),
    demo_precision: Number(demo.precision.toFixed(3)),
    demo_recall: Number(demo.recall.toFixed(3)),
    demo_warmup_alarms: demo.warmupAlarms,
    demo_precision_with_exits: Number(demo.precisionWithExits.toFixed(3)),
    demo_warmup_alarms_with_exits: demo.warmupAlarmsWithExits,
    rows,
    files: files.length,
    cv_standard: Number(cv.cvStandard.toFixed(2)),
    cv_strict: Number(cv.cvStrict.toFixed(2)),
    bytes_per_key: bytesPerKey,
    max_abs_diff_reference: maxDiff,
  }),
);
