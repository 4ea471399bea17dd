/**
 * Behaviour checks of the issue-11 prototype on synthetic data (no NAB file):
 *
 *   npx tsc -p tsconfig.json && node dist/bench/nab/prototypes/sanity.js
 *
 * 1. Stationary Gaussian noise, 20 seeds × 5000 rows at 5-minute steps: no
 *    score ≥ 0.5 (here: > 0) during warm-up; alarms (score ≥ 0.5) after it.
 * 2. Changes after warm-up (noise σ = 1 plus a daily sine of amplitude 3,
 *    change at row 3000 ≈ day 10.4, 20 seeds): a step of +5, a one-row spike
 *    of +10, a variance change σ 1 → 3, and the daily sine dropped (level
 *    kept). Delay = rows from the change to the first score ≥ 0.5.
 * 3. Anomaly-free bursty counts (Poisson with a daily × weekly rate and a
 *    slowly varying log-normal factor: a stand-in for social-media volume)
 *    and gappy, jittered timestamps: alarm rates, prototype vs baseline.
 * 4. Warm-up length (rows of exact 0) at 1-minute … 1-day row spacing.
 * 5. Scale (×1e6) and offset (+1e4) invariance of the alarm decisions.
 * 6. Constant stretches: an all-constant series; noise with 1000 constant rows.
 * Scores are checked to be in [0, 1]. PROTO='{…EnsembleSettings…}' runs
 * another design.
 */
import { SurpriseLikelihoodDetector } from '../surpriseLikelihood.js';
import type { StreamingDetector } from '../harness.js';
import { EnsembleDetector } from '../../../test/reference/detector.js';

const STEP = 300_000;
const T0 = Date.UTC(2024, 0, 1);
const DAY_ROWS = 288;

/** mulberry32 PRNG with a Box–Muller normal. */
export function rng(seed: number): { u: () => number; n: () => number } {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const n = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, n };
}

function poisson(lambda: number, u: () => number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= u();
  } while (p > l);
  return k - 1;
}

function run(d: StreamingDetector, times: number[], values: number[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = d.update(times[i] as number, values[i] as number);
    if (!(s >= 0 && s <= 1)) throw new Error(`score ${s} out of [0, 1] at row ${i}`);
    out[i] = s;
  }
  return out;
}

const proto = () => new EnsembleDetector(JSON.parse(process.env.PROTO ?? '{}'));
const base = () => new SurpriseLikelihoodDetector();
const regular = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * STEP);
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

// 1. stationary noise
{
  let warmMax = 0;
  let warmRowsMin = Infinity;
  let warmRowsMax = 0;
  const alarms = { proto: 0, base: 0, baseWarm: 0 };
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const v = Array.from({ length: 5000 }, () => 10 + r.n());
    const s = run(proto(), regular(5000), v);
    let first = s.findIndex((x) => x > 0);
    if (first < 0) first = 5000;
    warmRowsMin = Math.min(warmRowsMin, first);
    warmRowsMax = Math.max(warmRowsMax, first);
    for (let i = 0; i < first; i++) warmMax = Math.max(warmMax, s[i] as number);
    for (let i = first; i < 5000; i++) if ((s[i] as number) >= 0.5) alarms.proto++;
    const b = run(base(), regular(5000), v);
    for (let i = 0; i < 5000; i++) if ((b[i] as number) >= 0.5) i < first ? alarms.baseWarm++ : alarms.base++;
  }
  say(
    `noise (20 seeds × 5000 rows): prototype warm-up ends at rows ${warmRowsMin}–${warmRowsMax}, max score in warm-up ${warmMax}; alarms (≥ 0.5) after warm-up: prototype ${alarms.proto} (${(alarms.proto / 20).toFixed(2)} per series), baseline ${alarms.base} (+ ${alarms.baseWarm} in the same warm-up rows)`,
  );
}

// 2. changes after warm-up
{
  const CHANGE = 3000;
  const N = 4500;
  const kinds: Record<string, (i: number, noise: number, season: number) => number> = {
    'step +5σ': (i, e, s) => 10 + s + e + (i >= CHANGE ? 5 : 0),
    'spike +10σ (one row)': (i, e, s) => 10 + s + e + (i === CHANGE ? 10 : 0),
    'variance ×3': (i, e, s) => 10 + s + (i >= CHANGE ? 3 : 1) * e,
    'daily pattern dropped': (i, e, s) => 10 + (i >= CHANGE ? 0 : s) + e,
  };
  for (const [name, f] of Object.entries(kinds)) {
    for (const [dname, make] of [
      ['prototype', proto],
      ['baseline', base],
    ] as const) {
      const delays: number[] = [];
      let before = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const r = rng(1000 + seed);
        const v = Array.from({ length: N }, (_, i) => f(i, r.n(), 3 * Math.sin((2 * Math.PI * i) / DAY_ROWS)));
        const s = run(make(), regular(N), v);
        for (let i = 400; i < CHANGE; i++) if ((s[i] as number) >= 0.5) before++;
        let d = -1;
        for (let i = CHANGE; i < N; i++)
          if ((s[i] as number) >= 0.5) {
            d = i - CHANGE;
            break;
          }
        delays.push(d < 0 ? Infinity : d);
      }
      delays.sort((a, b) => a - b);
      const found = delays.filter((d) => d <= DAY_ROWS).length;
      say(
        `${name.padEnd(22)} ${dname.padEnd(9)} flagged within 1 day ${found}/20; delay rows median ${delays[10]} max ${delays[19]}; alarms before the change (rows 400–2999, all seeds) ${before}`,
      );
    }
  }
}

// 3. bursty counts and gappy timestamps
{
  const N = 12_000;
  const res: string[] = [];
  for (const [dname, make] of [
    ['prototype', proto],
    ['baseline', base],
  ] as const) {
    let counts = 0;
    let gappy = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(5000 + seed);
      let logf = 0;
      const v: number[] = [];
      const times = regular(N);
      for (let i = 0; i < N; i++) {
        const t = times[i] as number;
        const hour = (t / 3_600_000) % 24;
        const dow = Math.floor(t / 86_400_000) % 7;
        logf = 0.98 * logf + 0.2 * r.n() * Math.sqrt(1 - 0.98 * 0.98) * 5;
        const lambda = 8 * (1.2 + Math.sin((2 * Math.PI * (hour - 9)) / 24)) * (dow >= 5 ? 0.6 : 1) * Math.exp(logf);
        v.push(poisson(lambda, r.u));
      }
      const s = run(make(), times, v);
      for (let i = 400; i < N; i++) if ((s[i] as number) >= 0.5) counts++;
      // gappy: drop 30 % of rows, jitter the rest by ±60 s, noise + daily sine
      const gt: number[] = [];
      const gv: number[] = [];
      for (let i = 0; i < N; i++) {
        if (r.u() < 0.3) continue;
        gt.push(T0 + i * STEP + Math.round((r.u() - 0.5) * 120_000));
        gv.push(10 + 3 * Math.sin((2 * Math.PI * i) / DAY_ROWS) + r.n());
      }
      const g = run(make(), gt, gv);
      for (let i = 400; i < g.length; i++) if ((g[i] as number) >= 0.5) gappy++;
    }
    res.push(
      `${dname}: bursty counts ${((counts / (10 * (N - 400))) * 1e4).toFixed(2)} alarms/10k rows, gappy noise ${((gappy / (10 * (0.7 * N - 400))) * 1e4).toFixed(2)} alarms/10k rows`,
    );
  }
  say(`anomaly-free (10 seeds × 12000 rows, from row 400): ${res.join(' · ')}`);
}

// 4. warm-up length at other row spacings (first row with a nonzero score; 0 before it)
{
  const res: string[] = [];
  for (const [label, step] of [
    ['1 min', 60_000],
    ['5 min', STEP],
    ['30 min', 1_800_000],
    ['1 h', 3_600_000],
    ['1 day', 86_400_000],
  ] as const) {
    const r = rng(77);
    const n = 3000;
    const times = Array.from({ length: n }, (_, i) => T0 + i * step);
    const s = run(
      proto(),
      times,
      Array.from({ length: n }, () => 10 + r.n()),
    );
    res.push(`${label}: ${s.findIndex((x) => x > 0)}`);
  }
  say(`warm-up (rows of exact 0 on noise) by row spacing: ${res.join(', ')}`);
}

// 5. scale and offset: the same noise ×1e6, and +1e4, must raise the same alarms
{
  let same = 0;
  let total = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const r = rng(900 + seed);
    const v = Array.from({ length: 5000 }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / DAY_ROWS) + r.n() + (i === 3000 ? 8 : 0));
    const a = run(proto(), regular(5000), v);
    const b = run(
      proto(),
      regular(5000),
      v.map((x) => x * 1e6),
    );
    const c = run(
      proto(),
      regular(5000),
      v.map((x) => x + 1e4),
    );
    for (let i = 0; i < 5000; i++) {
      const fa = (a[i] as number) >= 0.5;
      total++;
      if (fa === (b[i] as number) >= 0.5 && fa === (c[i] as number) >= 0.5) same++;
    }
  }
  say(`scale ×1e6 and offset +1e4: alarm (≥ 0.5) decisions identical on ${same}/${total} rows`);
}

// 6. constant stretches: an all-constant series; noise with a 1000-row constant stretch (rows 2000–2999)
{
  const flat = run(
    proto(),
    regular(5000),
    Array.from({ length: 5000 }, () => 42),
  );
  let flatAlarms = 0;
  for (const s of flat) if (s >= 0.5) flatAlarms++;
  const r = rng(4242);
  const v = Array.from({ length: 5000 }, (_, i) => (i >= 2000 && i < 3000 ? 10 : 10 + r.n()));
  const s = run(proto(), regular(5000), v);
  const at: number[] = [];
  for (let i = 400; i < 5000; i++) if ((s[i] as number) >= 0.5) at.push(i);
  say(`constant series: ${flatAlarms} alarms in 5000 rows; noise with a constant stretch at rows 2000–2999: alarms at rows ${at.join(', ')}`);
}
