/**
 * Our own implementation of the Numenta Anomaly Benchmark (NAB v1.x) scoring
 * rules — see ../shared/docs/nab-scoring.md — written to reproduce NAB's
 * `nab/sweeper.py` + `nab/optimizer.py` + `Runner.normalize()` exactly:
 *
 * - Probation: the first `min(floor(0.15·rows), 0.15·5000 = 750)` rows of each
 *   file are dropped before anything is scored (they are neither detections
 *   nor misses; a window with no row after probation does not count at all).
 * - Windows are located by timestamp equality, as NAB's sweeper does: a window
 *   opens at the row whose timestamp equals its start, its right index is the
 *   FIRST row whose timestamp equals its end, and its width is
 *   `right − firstIndex(start) + 1` rows (inclusive on both ends). A window
 *   edge that is not a row timestamp is an error here (NAB would silently
 *   never enter that window and every later one).
 * - A row i inside a window is worth, if detected,
 *   `tpWeight · S(−(right − i + 1)/width) / S(−1)` with
 *   `S(x) = 2·sigmoid(−5x) − 1` (and `S(x) = −1` for `x > 3`). At the left
 *   edge the position is exactly −1, so the earliest row is worth exactly
 *   tpWeight; at the right edge it is −1/width (not 0), worth a little > 0.
 *   Per window only the best (= earliest) detected row counts; a window with
 *   no detected row is worth −fnWeight.
 * - A detected row outside every window costs `fpWeight · S(|i − prevRight| /
 *   (prevWidth − 1))` relative to the closest preceding window, or
 *   `−fpWeight` if no window precedes it.
 * - One threshold per profile for the whole corpus: every distinct score value
 *   v is a candidate (detections = rows with score ≥ v), plus 1.1 (nothing
 *   detected); the candidate with the highest summed raw score wins, ties
 *   going to the higher threshold (NAB's stable sort over a descending list).
 * - Normalised score = 100·(raw − null)/(perfect − null), with
 *   null = −fnWeight × (windows that have at least one row after probation)
 *   (what NAB's null detector scores) and perfect = tpWeight × (all windows).
 *
 * The sweep sorts all scorable (score, row) pairs of the corpus once and
 * walks down the distinct score values, updating the total incrementally:
 * O(R log R) for R rows, independent of the number of distinct scores.
 */
import { parseNabTimestamp } from './data.js';

/** Weights of one NAB application profile. */
export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

/** NAB's three standard profiles (config/profiles.json). */
export const PROFILES = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 },
} as const satisfies Record<string, CostMatrix>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Fraction of each file NAB treats as probation. */
export const PROBATION_PERCENT = 0.15;

/** The threshold NAB uses for "nothing detected". */
export const NO_DETECTION_THRESHOLD = 1.1;

type TimeLike = string | number;

/** One file to score: per-row timestamps and anomaly scores, plus its windows. */
export interface ScoreInput {
  name: string;
  /** Timestamp strings (NAB format, UTC) or epoch ms, one per row. */
  timestamps: ArrayLike<TimeLike>;
  /** One anomaly score per row, in [0, 1]. */
  scores: ArrayLike<number>;
  /** Labelled windows `[start, end]` (NAB timestamp strings or epoch ms). */
  windows: ReadonlyArray<readonly [TimeLike, TimeLike]>;
}

/** Per-file outcome at the corpus threshold. */
export interface FileResult {
  name: string;
  raw: number;
  /** Windows with ≥ 1 row after probation (these count in `null`). */
  windows: number;
  /** Windows with a detection. */
  detected: number;
  /** Scorable detected rows outside every window. */
  falsePositives: number;
}

/** Outcome for one profile. */
export interface ProfileResult {
  /** Normalised NAB score (0 = null detector, 100 = perfect). */
  score: number;
  /** Corpus-wide threshold that maximises the summed raw score. */
  threshold: number;
  raw: number;
  null: number;
  perfect: number;
  perFile: FileResult[];
}

export type CorpusResult = Record<ProfileName, ProfileResult>;

/** NAB's scaled sigmoid: 2·sigmoid(−5x) − 1, and −1 beyond x > 3. */
export function scaledSigmoid(x: number): number {
  if (x > 3.0) return -1.0;
  return 2 * (1 / (1 + Math.exp(5 * x))) - 1.0;
}

const MAX_TP = scaledSigmoid(-1.0);

/** Number of leading rows NAB ignores: min(floor(0.15·rows), 750). */
export function probationLength(rows: number): number {
  return Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
}

function toMs(t: TimeLike): number {
  return typeof t === 'number' ? t : parseNabTimestamp(t);
}

/** Row kinds in a prepared file. */
const PROBATION = -2;
const OUTSIDE = -1;

/**
 * A file reduced to what scoring needs, independent of the profile:
 * for every row, whether it is in probation / outside / inside window w,
 * and its unweighted sweep value (S(position)/S(−1) inside a window, S(distance
 * past the previous window) or −1 outside).
 */
export interface PreparedFile {
  name: string;
  rows: number;
  probation: number;
  /** Window index within this file (≥ 0), OUTSIDE (−1) or PROBATION (−2). */
  kind: Int32Array;
  /** Unweighted sweep value per row (see above). */
  base: Float64Array;
  /** Number of windows in the labels. */
  windowCount: number;
  /** Windows that have at least one row after probation. */
  scorableWindows: number;
}

/**
 * Map windows to rows and precompute each row's unweighted value, following
 * NAB's `Sweeper.calcSweepScore` step by step.
 */
export function prepareFile(name: string, timestamps: ArrayLike<TimeLike>, windows: ScoreInput['windows']): PreparedFile {
  const n = timestamps.length;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = toMs(timestamps[i] as TimeLike);
  const firstIndex = (t: number, what: string): number => {
    for (let i = 0; i < n; i++) if (times[i] === t) return i;
    throw new Error(`nab scorer: ${name}: window ${what} ${new Date(t).toISOString()} is not a row timestamp`);
  };
  const lims = windows.map(([s, e]) => [toMs(s), toMs(e)] as const);
  for (const [s, e] of lims) {
    firstIndex(s, 'start');
    firstIndex(e, 'end');
  }

  const probation = probationLength(n);
  const kind = new Int32Array(n);
  const base = new Float64Array(n);
  let next = 0; // next window not yet entered
  let cur = -1; // window we are in, or −1
  let curRight = 0;
  let curWidth = 0;
  let prevRight = -1;
  let prevWidth = 0;
  const scorable = new Uint8Array(lims.length);

  for (let i = 0; i < n; i++) {
    const t = times[i] as number;
    const nextLim = lims[next];
    if (nextLim !== undefined && t === nextLim[0]) {
      cur = next++;
      curRight = firstIndex(nextLim[1], 'end');
      curWidth = curRight - firstIndex(nextLim[0], 'start') + 1;
    }
    if (cur >= 0) {
      base[i] = scaledSigmoid(-(curRight - i + 1) / curWidth) / MAX_TP;
    } else if (prevRight < 0) {
      base[i] = -1.0;
    } else {
      // NAB divides by (prevWidth − 1): a 1-row window would raise
      // ZeroDivisionError there; here it gives +∞ → −1.
      base[i] = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i < probation) {
      kind[i] = PROBATION;
    } else {
      kind[i] = cur >= 0 ? cur : OUTSIDE;
      if (cur >= 0) scorable[cur] = 1;
    }
    if (cur >= 0 && t === (lims[cur] as readonly [number, number])[1]) {
      prevRight = i;
      prevWidth = curWidth;
      cur = -1;
    }
  }
  let scorableWindows = 0;
  for (const s of scorable) scorableWindows += s;
  return { name, rows: n, probation, kind, base, windowCount: lims.length, scorableWindows };
}

/** Weighted sweep value of a row (its contribution if detected). */
function weighted(kind: number, base: number, cm: CostMatrix): number {
  return kind >= 0 ? base * cm.tpWeight : base * cm.fpWeight;
}

/**
 * Raw NAB score of one prepared file at a threshold (detections = rows with
 * score ≥ threshold), computed straight from the definition.
 */
export function scorePrepared(p: PreparedFile, scores: ArrayLike<number>, threshold: number, cm: CostMatrix): FileResult {
  if (scores.length !== p.rows) throw new Error(`nab scorer: ${p.name}: ${scores.length} scores for ${p.rows} rows`);
  const best = new Float64Array(p.windowCount).fill(Number.NaN);
  let fp = 0;
  let fpCount = 0;
  for (let i = 0; i < p.rows; i++) {
    const k = p.kind[i] as number;
    if (k === PROBATION || !((scores[i] as number) >= threshold)) continue;
    const v = weighted(k, p.base[i] as number, cm);
    if (k === OUTSIDE) {
      fp += v;
      fpCount++;
    } else {
      const b = best[k] as number;
      if (Number.isNaN(b) || v > b) best[k] = v;
    }
  }
  let raw = fp;
  let detected = 0;
  const seen = new Uint8Array(p.windowCount);
  for (let i = p.probation; i < p.rows; i++) {
    const k = p.kind[i] as number;
    if (k >= 0) seen[k] = 1;
  }
  for (let w = 0; w < p.windowCount; w++) {
    if (!seen[w]) continue; // window wholly inside probation: NAB ignores it
    const b = best[w] as number;
    if (Number.isNaN(b)) raw -= cm.fnWeight;
    else {
      raw += b;
      detected++;
    }
  }
  return { name: p.name, raw, windows: p.scorableWindows, detected, falsePositives: fpCount };
}

/** Raw score of one file at one threshold for one profile. */
export function scoreFile(file: ScoreInput, threshold: number, cm: CostMatrix = PROFILES.standard): FileResult {
  return scorePrepared(prepareFile(file.name, file.timestamps, file.windows), file.scores, threshold, cm);
}

/** A threshold candidate and the corpus raw score at it. */
export interface ThresholdScore {
  threshold: number;
  raw: number;
}

/** The corpus flattened to its scorable rows, sorted by score descending. */
export interface SweepTable {
  /** Scores of scorable rows, descending. */
  score: Float64Array;
  /** Global window id (≥ 0) or OUTSIDE, aligned with `score`. */
  kind: Int32Array;
  base: Float64Array;
  /** Total windows with at least one scorable row. */
  scorableWindows: number;
  /** Total labelled windows. */
  windowCount: number;
}

/** Flatten prepared files into one table sorted by score (descending). */
export function buildSweepTable(prepared: readonly PreparedFile[], scores: readonly ArrayLike<number>[]): SweepTable {
  let total = 0;
  for (const p of prepared) total += p.rows - Math.min(p.rows, p.probation);
  const s = new Float64Array(total);
  const k = new Int32Array(total);
  const b = new Float64Array(total);
  let at = 0;
  let windowOffset = 0;
  let scorableWindows = 0;
  let windowCount = 0;
  prepared.forEach((p, f) => {
    const sc = scores[f];
    if (sc === undefined || sc.length !== p.rows) throw new Error(`nab scorer: ${p.name}: scores length ≠ rows`);
    for (let i = 0; i < p.rows; i++) {
      const kind = p.kind[i] as number;
      if (kind === PROBATION) continue;
      const v = sc[i] as number;
      if (!Number.isFinite(v)) throw new Error(`nab scorer: ${p.name}: row ${i} score ${v} is not finite`);
      s[at] = v;
      k[at] = kind >= 0 ? kind + windowOffset : OUTSIDE;
      b[at] = p.base[i] as number;
      at++;
    }
    windowOffset += p.windowCount;
    windowCount += p.windowCount;
    scorableWindows += p.scorableWindows;
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((x, y) => (s[y] as number) - (s[x] as number) || x - y);
  const score = new Float64Array(total);
  const kind = new Int32Array(total);
  const base = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const o = order[i] as number;
    score[i] = s[o] as number;
    kind[i] = k[o] as number;
    base[i] = b[o] as number;
  }
  return { score, kind, base, scorableWindows, windowCount };
}

/**
 * Sweep every distinct score value from the top down (NAB's
 * `calcScoreByThreshold`), returning the raw corpus score at each candidate
 * threshold, starting with 1.1 (nothing detected).
 */
export function sweep(table: SweepTable, cm: CostMatrix): ThresholdScore[] {
  const best = new Float64Array(table.windowCount).fill(-cm.fnWeight);
  let total = -cm.fnWeight * table.scorableWindows;
  const out: ThresholdScore[] = [{ threshold: NO_DETECTION_THRESHOLD, raw: total }];
  const n = table.score.length;
  let i = 0;
  while (i < n) {
    const v = table.score[i] as number;
    for (; i < n && table.score[i] === v; i++) {
      const k = table.kind[i] as number;
      const w = weighted(k, table.base[i] as number, cm);
      if (k === OUTSIDE) total += w;
      else if (w > (best[k] as number)) {
        total += w - (best[k] as number);
        best[k] = w;
      }
    }
    out.push({ threshold: v, raw: total });
  }
  return out;
}

/** Best threshold of a sweep (highest raw; ties → higher threshold). */
export function bestThreshold(sweepScores: readonly ThresholdScore[]): ThresholdScore {
  let best = sweepScores[0];
  if (best === undefined) throw new Error('nab scorer: empty sweep');
  for (const s of sweepScores) if (s.raw > best.raw) best = s;
  return best;
}

/**
 * Score a corpus on all three profiles: optimise one threshold per profile
 * over the whole corpus, then report the normalised score and per-file detail.
 */
export function scoreCorpus(files: readonly ScoreInput[], profiles: Partial<Record<ProfileName, CostMatrix>> = PROFILES): CorpusResult {
  const prepared = files.map((f) => prepareFile(f.name, f.timestamps, f.windows));
  const scores = files.map((f) => f.scores);
  const table = buildSweepTable(prepared, scores);
  const out = {} as CorpusResult;
  for (const name of PROFILE_NAMES) {
    const cm = profiles[name];
    if (cm === undefined) continue;
    const { threshold } = bestThreshold(sweep(table, cm));
    const perFile = prepared.map((p, f) => scorePrepared(p, scores[f] as ArrayLike<number>, threshold, cm));
    let raw = 0;
    for (const r of perFile) raw += r.raw;
    const nul = -cm.fnWeight * table.scorableWindows;
    const perfect = cm.tpWeight * table.windowCount;
    out[name] = { score: (100 * (raw - nul)) / (perfect - nul), threshold, raw, null: nul, perfect, perFile };
  }
  return out;
}

/** Normalise a raw score against null/perfect for a set of windows. */
export function normalise(raw: number, windows: number, scorableWindows: number, cm: CostMatrix): number {
  const nul = -cm.fnWeight * scorableWindows;
  const perfect = cm.tpWeight * windows;
  return (100 * (raw - nul)) / (perfect - nul);
}
