/**
 * Shared harness for NAB prototype runs: feed each file row by row to a fresh
 * detector (one pass, no look-ahead), collect the per-row scores and score the
 * corpus with our NAB scorer.
 */
import { loadNab, type NabFile } from './data.js';
import { PROFILES, PROFILE_NAMES, normalise, scoreCorpus, type CorpusResult } from './scorer.js';

/** A streaming detector: one call per row, in order; returns a score in [0, 1]. */
export interface StreamingDetector {
  update(timestampMs: number, value: number): number;
}

export type DetectorFactory = () => StreamingDetector;

export interface RunResult {
  result: CorpusResult;
  scores: Float64Array[];
  files: NabFile[];
  /** Wall time spent inside detectors (ms). */
  detectMs: number;
  rows: number;
}

let cached: NabFile[] | undefined;
export function nabFiles(): NabFile[] {
  cached ??= loadNab();
  return cached;
}

/** Run a detector over every file and score the results. */
export function runDetector(factory: DetectorFactory, files: NabFile[] = nabFiles()): RunResult {
  const scores: Float64Array[] = [];
  let rows = 0;
  const t0 = performance.now();
  for (const f of files) {
    const d = factory();
    const out = new Float64Array(f.values.length);
    for (let i = 0; i < out.length; i++) {
      const s = d.update(f.times[i] as number, f.values[i] as number);
      out[i] = s;
    }
    rows += out.length;
    scores.push(out);
  }
  const detectMs = performance.now() - t0;
  const result = scoreCorpus(files.map((f, i) => ({ name: f.name, timestamps: f.times, scores: scores[i] as Float64Array, windows: f.windows })));
  return { result, scores, files, detectMs, rows };
}

/** One line with the three profile scores. */
export function summary(r: CorpusResult): string {
  return PROFILE_NAMES.map((p) => `${p} ${r[p].score.toFixed(2)} (thr ${r[p].threshold})`).join(' | ');
}

/** Per-category and per-file breakdown at the standard profile's threshold. */
export function breakdown(run: RunResult, profile: keyof typeof PROFILES = 'standard'): string {
  const pr = run.result[profile];
  const cm = PROFILES[profile];
  const lines: string[] = [];
  const cats = new Map<string, { raw: number; windows: number; scorable: number; detected: number; fp: number }>();
  pr.perFile.forEach((f, i) => {
    const file = run.files[i] as NabFile;
    const c = cats.get(file.category) ?? { raw: 0, windows: 0, scorable: 0, detected: 0, fp: 0 };
    c.raw += f.raw;
    c.windows += file.windows.length;
    c.scorable += f.windows;
    c.detected += f.detected;
    c.fp += f.falsePositives;
    cats.set(file.category, c);
    lines.push(`  ${f.name.padEnd(60)} raw ${f.raw.toFixed(3).padStart(8)}  windows ${f.detected}/${f.windows}  fp ${f.falsePositives}`);
  });
  const head: string[] = [];
  for (const [cat, c] of cats) {
    const norm = c.windows > 0 ? normalise(c.raw, c.windows, c.scorable, cm).toFixed(1) : 'n/a';
    head.push(`${cat.padEnd(24)} norm ${String(norm).padStart(6)}  raw ${c.raw.toFixed(3).padStart(8)}  windows ${c.detected}/${c.windows}  fp rows ${c.fp}`);
  }
  return [...head, ...lines].join('\n');
}
