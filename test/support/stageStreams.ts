/**
 * fast-check arbitraries for the analytics-stage tests: keyed streams and
 * stage configurations (z-score, Holt / Holt-Winters, threshold patterns).
 *
 * Streams: values mostly moderate (integers, doubles within ±1e6 — none below
 * 1e-3 in magnitude but 0, so squared deviations never underflow), a small
 * pool of repeated values and runs of equal values per key (the "stddev 0"
 * case); timestamps mostly increasing with jitter, duplicates, jumps back
 * (out of order and late for the windows), big jumps forward, half
 * milliseconds, negative and epoch-sized bases; keys mostly 0–3 plus 1023,
 * 1024 and 5000 (the core's per-key blocks come in chunks of 1024 keys); and
 * optionally a few invalid rows (NaN value, non-finite time, negative key).
 */
import fc from 'fast-check';
import type { StreamEvent } from '../reference/windows.js';
import type { StageConfig, ThresholdBound } from '../reference/stages.js';
import type { ZScoreConfig } from '../reference/zscore.js';
import type { HoltConfig, Season } from '../reference/holt.js';

export const stageValueArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 3, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => x === 0 || Math.abs(x) >= 1e-3) },
  { weight: 2, arbitrary: fc.constantFrom(7, 0.1, 0.3, -3.5, 1e6, -1e6, 123456.789) },
);

const stageKeyArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(1023, 1024, 5000) },
);

type Invalid = 'none' | 'nanValue' | 'infValue' | 'nanTs' | 'infTs' | 'negKey';

interface Op {
  kind: 'forward' | 'jitter' | 'late';
  step: number;
  back: number;
  half: boolean;
  key: number;
  value: number;
  /** Reuse the key's previous value (runs of equal values). */
  repeat: boolean;
  invalid: Invalid;
}

const opArb = (withInvalid: boolean): fc.Arbitrary<Op> =>
  fc.record({
    kind: fc.oneof(
      { weight: 8, arbitrary: fc.constant('forward' as const) },
      { weight: 3, arbitrary: fc.constant('jitter' as const) },
      { weight: 1, arbitrary: fc.constant('late' as const) },
    ),
    step: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: 3 }) },
      { weight: 2, arbitrary: fc.integer({ min: 4, max: 40 }) },
      { weight: 1, arbitrary: fc.integer({ min: 41, max: 1_000_000 }) },
    ),
    back: fc.nat({ max: 30 }),
    half: fc.boolean(),
    key: stageKeyArb,
    value: stageValueArb,
    repeat: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 3, arbitrary: fc.constant(true) }),
    invalid: withInvalid
      ? fc.oneof(
          { weight: 40, arbitrary: fc.constant<Invalid>('none') },
          { weight: 1, arbitrary: fc.constantFrom<Invalid>('nanValue', 'infValue', 'nanTs', 'infTs', 'negKey') },
        )
      : fc.constant<Invalid>('none'),
  });

function buildStream(base: number, halves: boolean, ops: readonly Op[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const lastValue = new Map<number, number>();
  let maxTs = -Infinity;
  for (const op of ops) {
    let ts: number;
    const half = halves && op.half ? 0.5 : 0;
    if (maxTs === -Infinity) ts = base;
    else if (op.kind === 'forward') ts = maxTs + op.step + half;
    else if (op.kind === 'jitter') ts = maxTs - op.back - half;
    else ts = maxTs - 150 - op.back;
    const value = op.repeat ? (lastValue.get(op.key) ?? op.value) : op.value;
    let e: StreamEvent = { ts, key: op.key, value };
    switch (op.invalid) {
      case 'nanValue':
        e = { ...e, value: NaN };
        break;
      case 'infValue':
        e = { ...e, value: -Infinity };
        break;
      case 'nanTs':
        e = { ...e, ts: NaN };
        break;
      case 'infTs':
        e = { ...e, ts: Infinity };
        break;
      case 'negKey':
        e = { ...e, key: -1 };
        break;
      case 'none':
        lastValue.set(e.key, e.value);
        if (e.ts > maxTs) maxTs = e.ts;
        break;
    }
    events.push(e);
  }
  return events;
}

/** A keyed stream; `invalid` mixes in a few rows the core must reject. */
export function stageStreamArb(opts: { maxEvents?: number; invalid?: boolean } = {}): fc.Arbitrary<StreamEvent[]> {
  return fc
    .record({
      base: fc.constantFrom(0, -37, 13, 1_700_000_000_000, -1_000_000_007),
      halves: fc.boolean(),
      ops: fc.array(opArb(opts.invalid ?? false), { maxLength: opts.maxEvents ?? 120, size: 'max' }),
    })
    .map(({ base, halves, ops }) => buildStream(base, halves, ops));
}

/** Smoothing parameters in (0, 1]: round values, 1, tiny, and anything. */
export const unitArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 0.3, 0.5, 0.1, 0.9, 1e-3),
  fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }),
);

const zThresholdArb = fc.oneof(fc.constantFrom(2, 3, 1, 0), fc.double({ min: 0, max: 4, noNaN: true }));

export const zscoreArb: fc.Arbitrary<ZScoreConfig | null> = fc.oneof(
  fc.constant(null),
  fc.record({ mode: fc.constant('rows' as const), rows: fc.oneof(fc.integer({ min: 2, max: 30 }), fc.constant(11)), threshold: zThresholdArb }),
  fc.record({
    mode: fc.constant('time' as const),
    timeMs: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constantFrom(0.5, 2.5, 1e9)),
    maxRows: fc.oneof(fc.integer({ min: 2, max: 30 }), fc.constant(64)),
    threshold: zThresholdArb,
  }),
);

const seasonArb: fc.Arbitrary<Season> = fc.oneof(
  fc.constant<Season>({ kind: 'none' }),
  fc.record({ kind: fc.constant('rows' as const), m: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('time' as const), seasonMs: fc.constantFrom(4, 7, 10, 24, 60, 2.5, 86_400_000), m: fc.integer({ min: 1, max: 8 }) }),
);

export const holtArb: fc.Arbitrary<HoltConfig | null> = fc.oneof(
  fc.constant(null),
  fc.record({ alpha: unitArb, beta: unitArb, gamma: unitArb, horizon: fc.integer({ min: 1, max: 20 }), season: seasonArb }),
);

const boundArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 3, arbitrary: fc.integer({ min: -60, max: 60 }) },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
);

export const thresholdsArb: fc.Arbitrary<ThresholdBound[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<ThresholdBound[]>([]) },
  { weight: 3, arbitrary: fc.array(fc.record({ upper: boundArb, lower: boundArb }), { minLength: 1, maxLength: 4 }) },
  // all 16 patterns: bit 31 (pattern 15's lower bound) must come out as 2^31, not negative
  { weight: 1, arbitrary: fc.array(fc.record({ upper: boundArb, lower: boundArb }), { minLength: 16, maxLength: 16 }) },
);

export const stageConfigArb: fc.Arbitrary<StageConfig> = fc.record({ zscore: zscoreArb, holt: holtArb, thresholds: thresholdsArb });
