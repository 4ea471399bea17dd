import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadNab, parseNabTimestamp } from '../../bench/nab/data.js';
import {
  PROFILES,
  PROFILE_NAMES,
  bestThreshold,
  buildSweepTable,
  prepareFile,
  probationLength,
  scoreCorpus,
  scoreFile,
  sweep,
  type ScoreInput,
} from '../../bench/nab/scorer.js';

/** Independent form of NAB's scaled sigmoid: 2·sigmoid(−5x) − 1 = tanh(−2.5x). */
const S = (x: number): number => (x > 3 ? -1 : Math.tanh(-2.5 * x));

const pad = (n: number): string => String(n).padStart(2, '0');
function stamps(rows: number, stepMin = 5): string[] {
  const t0 = Date.UTC(2020, 0, 1);
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const d = new Date(t0 + i * stepMin * 60_000);
    out.push(`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`);
  }
  return out;
}

/** 200 rows (probation 30), one window over rows 100..109 (width 10). */
const ROWS = 200;
const TS = stamps(ROWS);
const WIN: [string, string] = [`${TS[100]}.000000`, `${TS[109]}.000000`];
function fileWith(detections: number[], windows: [string, string][] = [WIN]): ScoreInput {
  const scores = new Float64Array(ROWS);
  for (const i of detections) scores[i] = 1;
  return { name: 'synthetic.csv', timestamps: TS, scores, windows };
}
const raw = (detections: number[], windows?: [string, string][]): number => scoreFile(fileWith(detections, windows), 0.5).raw;

describe('NAB scorer — single file, standard profile', () => {
  it('probation length is min(floor(0.15·rows), 750)', () => {
    expect(probationLength(200)).toBe(30);
    expect(probationLength(4032)).toBe(604);
    expect(probationLength(22695)).toBe(750);
  });

  it('no detection costs fnWeight per window', () => {
    expect(raw([])).toBe(-1);
    expect(scoreFile(fileWith([]), 0.5, PROFILES.reward_low_FN_rate).raw).toBe(-2);
  });

  it('weights a detection by its position in the window (sigmoid)', () => {
    const left = raw([100]);
    const middle = raw([105]); // position −(109 − 105 + 1)/10 = −0.5
    const right = raw([109]); // position −1/10
    expect(left).toBeCloseTo(1, 12);
    expect(middle).toBeCloseTo(S(-0.5) / S(-1), 12);
    expect(right).toBeCloseTo(S(-0.1) / S(-1), 12);
    expect(left).toBeGreaterThan(middle);
    expect(middle).toBeGreaterThan(right);
    expect(right).toBeGreaterThan(0);
  });

  it('only the earliest detection in a window counts; later ones are free', () => {
    expect(raw([102, 106, 109])).toBe(raw([102]));
    expect(raw([103, 104, 105, 106, 107, 108])).toBe(raw([103]));
  });

  it('a false positive right after a window costs less than one far away', () => {
    const base = raw([100]);
    const justAfter = raw([100, 110]) - base; // x = 1/(10 − 1)
    const later = raw([100, 118]) - base; // x = 9/9 = 1
    const far = raw([100, 190]) - base; // x = 81/9 > 3 → −1
    const before = raw([100, 50]) - base; // no preceding window → −1
    expect(justAfter).toBeCloseTo(0.11 * S(1 / 9), 12);
    expect(later).toBeCloseTo(0.11 * S(1), 12);
    expect(far).toBeCloseTo(-0.11, 12);
    expect(before).toBeCloseTo(-0.11, 12);
    expect(justAfter).toBeLessThan(0);
    expect(justAfter).toBeGreaterThan(later);
    expect(later).toBeGreaterThan(far);
    expect(scoreFile(fileWith([100, 190]), 0.5, PROFILES.reward_low_FP_rate).raw).toBeCloseTo(1 - 0.22, 12);
  });

  it('ignores detections in the probationary period', () => {
    expect(raw([0, 5, 29])).toBe(-1);
    expect(raw([29, 100])).toBeCloseTo(1, 12);
    expect(raw([30])).toBeCloseTo(-1 - 0.11, 12); // first scored row
  });

  it('a window wholly inside probation is not scored at all', () => {
    const early: [string, string] = [TS[10] as string, TS[20] as string];
    expect(raw([], [early])).toBe(0);
    const r = scoreFile(fileWith([], [early, WIN]), 0.5);
    expect(r.raw).toBe(-1);
    expect(r.windows).toBe(1);
    // A false positive after the probation-hidden window is still weighted
    // relative to it, as NAB's sweeper does.
    expect(raw([35], [early])).toBeCloseTo(0.11 * S(15 / 10), 12);
  });

  it('maps window timestamps to rows inclusively, ignoring fractional zeros', () => {
    const p = prepareFile('x', TS, [WIN]);
    expect(p.kind[99]).toBe(-1);
    expect(p.kind[100]).toBe(0);
    expect(p.kind[109]).toBe(0);
    expect(p.kind[110]).toBe(-1);
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(parseNabTimestamp('2014-04-10 07:15:00'));
  });
});

describe('NAB scorer — corpus threshold sweep', () => {
  it('picks the best threshold and matches a brute-force rescoring at every candidate', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            rows: fc.integer({ min: 40, max: 120 }),
            wins: fc.array(fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 2, max: 15 })), { maxLength: 3 }),
            levels: fc.integer({ min: 1, max: 6 }),
            seed: fc.integer({ min: 1, max: 1 << 30 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (specs) => {
          const files: ScoreInput[] = specs.map((s, f) => {
            const ts = stamps(s.rows);
            // non-overlapping windows, kept in order
            const windows: [string, string][] = [];
            let from = 0;
            for (const [start, len] of [...s.wins].sort((a, b) => a[0] - b[0])) {
              const a = Math.max(start % s.rows, from);
              const b = Math.min(a + len - 1, s.rows - 1);
              if (b - a < 1) continue;
              windows.push([ts[a] as string, ts[b] as string]);
              from = b + 2;
            }
            let x = s.seed;
            const scores = Array.from({ length: s.rows }, () => {
              x = (x * 1103515245 + 12345) & 0x7fffffff;
              return Math.floor((x / 0x7fffffff) * s.levels) / s.levels;
            });
            return { name: `f${f}`, timestamps: ts, scores, windows };
          });
          for (const name of PROFILE_NAMES) {
            const cm = PROFILES[name];
            const table = buildSweepTable(
              files.map((f) => prepareFile(f.name, f.timestamps, f.windows)),
              files.map((f) => f.scores),
            );
            const curve = sweep(table, cm);
            for (const c of curve) {
              const brute = files.reduce((acc, f) => acc + scoreFile(f, c.threshold, cm).raw, 0);
              expect(c.raw).toBeCloseTo(brute, 9);
            }
            const best = bestThreshold(curve);
            const result = scoreCorpus(files)[name];
            expect(result.threshold).toBe(best.threshold);
            expect(result.raw).toBeCloseTo(best.raw, 9);
            for (const c of curve) expect(result.raw).toBeGreaterThanOrEqual(c.raw - 1e-9);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('NAB scorer — the real 24 files', () => {
  const files = loadNab();

  it('loads 24 files and windows that land on row timestamps', () => {
    expect(files).toHaveLength(24);
    for (const f of files) {
      expect(f.timestamps.length).toBe(f.values.length);
      prepareFile(f.name, f.timestamps, f.windows); // throws if a window edge is not a row
    }
  });

  it('a detector that never fires scores 0 on every profile', () => {
    const res = scoreCorpus(files.map((f) => ({ ...f, scores: new Float64Array(f.values.length) })));
    for (const name of PROFILE_NAMES) {
      expect(res[name].score).toBe(0);
      expect(res[name].threshold).toBe(1.1);
    }
  });

  it("a detector firing exactly at each window's first row scores 100 on every profile", () => {
    const res = scoreCorpus(
      files.map((f) => {
        const scores = new Float64Array(f.values.length);
        for (const [start] of f.windows) scores[f.times.indexOf(parseNabTimestamp(start))] = 1;
        return { ...f, scores };
      }),
    );
    for (const name of PROFILE_NAMES) {
      expect(res[name].score).toBeCloseTo(100, 9);
      expect(res[name].threshold).toBe(1);
    }
  });
});
