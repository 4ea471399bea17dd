/**
 * fast-check arbitraries for window configurations, event streams and batch
 * splits, shaped to hit the window core's edge cases:
 *   - tumbling and sliding windows, size not a multiple of slide (5/2, 7/3),
 *     slide = size, small delays and lateness including 0 (and a fractional delay);
 *   - several keys: small ids plus a few large ones (1023/1024 straddle the
 *     core's 1024-key chunks, 5000 is in a later chunk);
 *   - timestamps that move forward, jump back within the delay/lateness (so
 *     they land exactly on window edges and on the close boundary), fall far
 *     behind (late), and exact duplicate events; negative and epoch-sized
 *     timestamps; half-millisecond timestamps;
 *   - extreme values: 1e15 ± 1, 1e15 + 0.5, −1e15, 1e-300, ±0, next to
 *     ordinary integers and doubles.
 */
import fc from 'fast-check';
import type { Mode, StreamEvent, WindowConfig } from '../reference/windows.js';

/**
 * Seed and run count for the property tests; override with EDDY_FC_SEED /
 * EDDY_FC_RUNS (every property that many runs), or scale each property's own
 * count with EDDY_FC_SCALE (`npm run test:unit` runs a quarter; `npm test`
 * the full counts).
 */
export const FC_SEED = Number(process.env.EDDY_FC_SEED ?? 20240611);
export function fcRuns(defaultRuns: number): number {
  if (process.env.EDDY_FC_RUNS !== undefined) return Number(process.env.EDDY_FC_RUNS);
  const scale = Number(process.env.EDDY_FC_SCALE ?? 1);
  return Math.max(1, Math.round(defaultRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export const EXTREME_VALUES: readonly number[] = [1e15 + 1, 1e15 - 1, 1e15, 1e15 + 0.5, -1e15, 1e-300, 0, -0];

/**
 * Values for the general properties. Random doubles below 1e-150 in magnitude
 * (other than 0 and the 1e-300 constant) are left to their own property
 * (`tinyValueArb`): squares of deviations that small underflow into the
 * subnormal range, which is a separate numerical finding that would otherwise
 * shadow every other counterexample in the general properties.
 */
export const valueArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -100, max: 100 }) },
  {
    weight: 3,
    arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((x) => x === 0 || Math.abs(x) >= 1e-150),
  },
  { weight: 3, arbitrary: fc.constantFrom(...EXTREME_VALUES) },
);

/** Tiny values (|x| < 1e-150, subnormals included) whose squared deviations underflow. */
export const tinyValueArb: fc.Arbitrary<number> = fc.oneof(
  fc.double({ min: -1e-150, max: 1e-150, noNaN: true }),
  fc.constantFrom(0, 1e-300, -1e-160, 3e-170, 5e-324),
);

export const keyArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(5000, 1023, 1024) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2100 }) },
);

export function configArb(mode?: Mode): fc.Arbitrary<WindowConfig> {
  const sizeSlide = fc.oneof(
    // sliding with size not a multiple of slide, and a few classic shapes
    fc.constantFrom<[number, number]>([5, 2], [7, 3], [4, 4], [1, 1], [6, 4], [10, 5], [9, 6], [3, 2], [60, 25], [100, 100], [30, 7]),
    fc.integer({ min: 1, max: 8 }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 1, max: size }))),
  );
  return fc
    .record({
      sizeSlide,
      delay: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(0.5, 2.5, 37) }),
      lateness: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 })),
      mode: mode === undefined ? fc.constantFrom<Mode>('append', 'update') : fc.constant(mode),
    })
    .map(({ sizeSlide: [size, slide], delay, lateness, mode: m }) => ({ size, slide, delay, lateness, mode: m }));
}

/** How the next event's timestamp is chosen relative to the max so far. */
type OpKind = 'forward' | 'jitter' | 'late' | 'dup';

interface Op {
  kind: OpKind;
  step: number; // forward: ms ahead of maxTs (0 = same time)
  half: boolean; // add 0.5 ms (fractional timestamps)
  back: number; // jitter/late: how far behind
  key: number;
  value: number;
}

const opArb = (values: fc.Arbitrary<number>, keys: fc.Arbitrary<number>): fc.Arbitrary<Op> =>
  fc.record({
    kind: fc.oneof(
      { weight: 5, arbitrary: fc.constant<OpKind>('forward') },
      { weight: 4, arbitrary: fc.constant<OpKind>('jitter') },
      { weight: 1, arbitrary: fc.constant<OpKind>('late') },
      { weight: 1, arbitrary: fc.constant<OpKind>('dup') },
    ),
    step: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: 3 }) },
      { weight: 2, arbitrary: fc.integer({ min: 4, max: 40 }) },
      // big jumps: every window closes and the core re-anchors its pane ring
      { weight: 1, arbitrary: fc.integer({ min: 41, max: 10_000_000 }) },
    ),
    half: fc.boolean(),
    back: fc.nat({ max: 30 }),
    key: keys,
    value: values,
  });

export interface Stream {
  cfg: WindowConfig;
  events: StreamEvent[];
}

/** Builds the timestamps from the ops (deterministic given cfg, base and ops). */
function buildEvents(cfg: WindowConfig, base: number, halves: boolean, ops: readonly Op[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  let maxTs = -Infinity;
  // Every jump back of at most `reach` can land in a still-open window or on the close boundary.
  const reach = Math.floor(cfg.size + cfg.delay + cfg.lateness) + 1;
  for (const op of ops) {
    const prev = events[events.length - 1];
    let ts: number;
    if (maxTs === -Infinity) ts = base;
    else if (op.kind === 'forward') ts = maxTs + op.step + (halves && op.half ? 0.5 : 0);
    else if (op.kind === 'jitter') ts = maxTs - (op.back % reach) - (halves && op.half ? 0.5 : 0);
    else if (op.kind === 'late') ts = maxTs - cfg.size - cfg.delay - cfg.lateness - op.back;
    else ts = prev ? prev.ts : maxTs;
    const e = op.kind === 'dup' && prev ? { ...prev } : { ts, key: op.key, value: op.value };
    events.push(e);
    if (e.ts > maxTs) maxTs = e.ts;
  }
  return events;
}

export function streamArb(
  opts: { mode?: Mode; maxEvents?: number; values?: fc.Arbitrary<number>; keys?: fc.Arbitrary<number>; cfg?: fc.Arbitrary<WindowConfig> } = {},
): fc.Arbitrary<Stream> {
  return fc
    .record({
      cfg: opts.cfg ?? configArb(opts.mode),
      base: fc.constantFrom(0, -37, 1_700_000_000_000, 13, -1_000_000_007),
      halves: fc.boolean(),
      ops: fc.array(opArb(opts.values ?? valueArb, opts.keys ?? keyArb), { maxLength: opts.maxEvents ?? 60, size: 'max' }),
    })
    .map(({ cfg, base, halves, ops }) => ({ cfg, events: buildEvents(cfg, base, halves, ops) }));
}

/** A batch split: all in one batch, batches of one, or random cut points (empty batches allowed). */
export type SplitSpec = { kind: 'one' } | { kind: 'singles' } | { kind: 'cuts'; cuts: number[] };

export const splitArb: fc.Arbitrary<SplitSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<SplitSpec>({ kind: 'one' }) },
  { weight: 1, arbitrary: fc.constant<SplitSpec>({ kind: 'singles' }) },
  { weight: 4, arbitrary: fc.array(fc.nat({ max: 1000 }), { maxLength: 12, size: 'max' }).map((cuts): SplitSpec => ({ kind: 'cuts', cuts })) },
);

/** Batch sizes (summing to n) for a split spec. */
export function batchSizes(n: number, spec: SplitSpec): number[] {
  if (spec.kind === 'one') return [n];
  if (spec.kind === 'singles') return Array.from({ length: n }, () => 1);
  const points = spec.cuts.map((c) => c % (n + 1)).sort((a, b) => a - b);
  const sizes: number[] = [];
  let at = 0;
  for (const p of points) {
    sizes.push(p - at);
    at = p;
  }
  sizes.push(n - at);
  return sizes;
}

/** A deterministic long stream (seeded): many keys, disorder within the delay, a few late events, extreme values. */
export function longStream(cfg: WindowConfig, n: number, keys: number, seed: number): StreamEvent[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let maxTs = 1_700_000_000_000;
  const reach = Math.floor(cfg.size + cfg.delay + cfg.lateness) + 1;
  return Array.from({ length: n }, (_, i) => {
    const r = rnd();
    let ts: number;
    if (r < 0.05) ts = maxTs += 1;
    else if (r < 0.7) ts = maxTs;
    else if (r < 0.97) ts = maxTs - Math.floor(rnd() * reach);
    else ts = maxTs - reach - Math.floor(rnd() * 50);
    const value = rnd() < 0.2 ? EXTREME_VALUES[i % EXTREME_VALUES.length]! : Math.round((rnd() - 0.5) * 2e6) / 64;
    return { ts, key: Math.floor(rnd() * keys), value };
  });
}
