/**
 * Reference implementation of eddy's event-time windows, written from the
 * spec (not from assembly/window.ts): obvious code, no panes, no rings, no
 * streaming statistics. Every window keeps the full list of its values and
 * aggregates are recomputed from that list when the window is emitted.
 *
 * Spec in brief
 *   - Windows are [start, start + size) with start = j·slide (j any integer).
 *     An event belongs to every window with start ≤ ts < start + size.
 *   - maxTs = max event time so far, updated BEFORE deciding about the event.
 *     watermark = maxTs − delay; closeWm = maxTs − delay − lateness.
 *   - A window is closed once closeWm ≥ its end.
 *   - An event is added to each of its windows that is not closed. If all of
 *     its windows are closed the event is late: it goes to the late output
 *     (ts, key, value, row within its batch) and contributes to nothing.
 *   - append: each window with ≥ 1 event is emitted exactly once, when it
 *     closes; flush() emits every window not yet emitted; after flush every
 *     event is late.
 *   - update: at the end of each batch, every not-yet-closed window that got
 *     events in that batch is emitted with its aggregates over all its events;
 *     a window that got events in the batch and closed during it is emitted
 *     when it closes instead. Unchanged windows are never emitted.
 *   - Empty windows are never emitted.
 *
 * This file also has the drivers the property tests use: one that feeds a
 * stream through the reference with a given batch split, and one that feeds
 * the wasm core the same way (optionally moving its state through
 * snapshot → restore into a fresh core between two batches).
 */
import type { WasmCore } from '../../src/core/wasmCore.js';
import { W_KEY, W_START, W_END, W_COUNT, W_SUM, W_AVG, W_STDDEV, W_MIN, W_MAX, L_TS, L_KEY, L_VALUE, L_ROW } from '../../src/core/exports.js';

export type Mode = 'append' | 'update';

export interface WindowConfig {
  size: number;
  slide: number;
  delay: number;
  lateness: number;
  mode: Mode;
}

export interface StreamEvent {
  ts: number;
  key: number;
  value: number;
}

export interface WindowOut {
  key: number;
  start: number;
  end: number;
  count: number;
  sum: number;
  avg: number;
  stddev: number;
  min: number;
  max: number;
  /** Reference only: Σ|x| and max|x| of the window's values (scales for the comparison tolerances). */
  absSum?: number;
  absMax?: number;
}

export interface LateOut {
  ts: number;
  key: number;
  value: number;
  row: number;
}

/** What one call (a batch, or the final flush) produced. */
export interface CallOut {
  windows: WindowOut[];
  late: LateOut[];
  /** watermark() after the call (null before the first event); only the core driver fills it. */
  watermark?: number | null;
}

/** Outputs of a whole run: one entry per process() call, then the flush. */
export interface RunOut {
  batches: CallOut[];
  flush: CallOut;
  /** Reference only: close decisions that depend on floating-point rounding (see ReferenceWindows.isClosed). */
  ambiguous?: number;
}

// ── numerics ──────────────────────────────────────────────────────────────

/**
 * Neumaier's improved Kahan summation.
 *
 * Plain left-to-right summation loses the low-order bits of every addend that
 * is much smaller than the running sum (1e15 + 1e-300 + …). Kahan keeps a
 * running compensation `c` of the rounding error of each addition; Neumaier's
 * variant also handles the case where the new addend is larger in magnitude
 * than the running sum (then it is the sum's low bits that are lost). The
 * rounding error of `s + x` is recovered exactly by the Fast2Sum identity:
 *   |s| ≥ |x|  ⇒  err = (s − t) + x      where t = fl(s + x)
 *   |x| > |s|  ⇒  err = (x − t) + s
 * The result s + c has an error bound of about 2u·Σ|x| independent of n (to
 * first order), instead of n·u·Σ|x| for naive summation.
 */
export function neumaierSum(xs: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) c += s - t + x;
    else c += x - t + s;
    s = t;
  }
  return s + c;
}

/**
 * Sample variance by the corrected two-pass algorithm (Chan, Golub & LeVeque,
 * "Algorithms for computing the sample variance", 1983):
 *
 *   m   = (Σx) / n                        (Σ by Neumaier, above)
 *   var = (Σ(x − m)² − (Σ(x − m))² / n) / (n − 1)
 *
 * The first pass gives a mean accurate to a few ulps. The second pass sums the
 * squared deviations, which are all ≥ 0 so there is no catastrophic
 * cancellation (unlike the textbook Σx² − n·m²). The correction term
 * (Σ(x − m))²/n would be exactly 0 with an exact mean; with the computed mean
 * it removes, to first order, the error that the rounding of m introduced
 * into Σ(x − m)². Both sums are accumulated with Neumaier summation, so the
 * result is accurate to a few ulps relative to the variance for every
 * well-conditioned and most ill-conditioned inputs (e.g. 1e15 ± 1).
 * Returns NaN below two values (the sample variance is undefined there).
 */
export function sampleVariance(xs: readonly number[]): number {
  const sd = sampleStddev(xs);
  return sd * sd;
}

/**
 * Sample standard deviation: sqrt of the corrected two-pass variance above,
 * computed on deviations rescaled by a power of two.
 *
 * Why the rescaling: squaring a deviation below ~1e-154 underflows into the
 * subnormal range (or to 0), where doubles have fewer than 53 significant
 * bits; {-1.09e-159, 0} would then get a stddev wrong in the 6th digit, and a
 * reference must not be the inaccurate side of a comparison. Multiplying by a
 * power of two is exact (no rounding, the data stay normal), so we scale the
 * deviations to max|x − m| ≈ 1, run the two-pass formula there, and divide the
 * resulting standard deviation by the same factor. The factor is applied in
 * two equal halves so that it never overflows (2^1074 for subnormal spreads).
 */
export function sampleStddev(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = neumaierSum(xs) / n;
  const raw = xs.map((x) => x - m);
  const spread = raw.reduce((a, d) => Math.max(a, Math.abs(d)), 0);
  if (spread === 0) return 0;
  const half = 2 ** Math.round(-Math.log2(spread) / 2); // spread·half² ≈ 1
  const dev = raw.map((d) => d * half * half);
  const sq = dev.map((d) => d * d);
  const corr = neumaierSum(dev);
  const v = (neumaierSum(sq) - (corr * corr) / n) / (n - 1);
  // v ≥ 0 mathematically; the correction can only push it below 0 by rounding.
  return Math.sqrt(Math.max(v, 0)) / half / half;
}

/** Aggregates of one window recomputed from its full value list. */
export function aggregate(key: number, start: number, end: number, values: readonly number[]): WindowOut {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const sum = neumaierSum(values);
  return {
    key,
    start,
    end,
    count: n,
    sum,
    // Neumaier-compensated sum / n: the sum is correctly rounded up to ~2u·Σ|x|,
    // one more rounding in the division.
    avg: sum / n,
    stddev: sampleStddev(values),
    min,
    max,
    absSum: neumaierSum(values.map(Math.abs)),
    absMax: values.reduce((m, x) => Math.max(m, Math.abs(x)), 0),
  };
}

// ── the reference engine ──────────────────────────────────────────────────

/**
 * A finite double as an exact integer: x · 2^1074. Every finite double is
 * m · 2^e with integer m and e ≥ −1074, so the product is an integer and
 * sums/differences/comparisons of these BigInts are exact real arithmetic.
 */
export function exactScaled(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`exactScaled: ${x} is not finite`);
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074; // subnormal: x = mantissa · 2^−1074
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075; // normal: x = (2^52 + fraction) · 2^(biased − 1075)
  }
  const scaled = mantissa << BigInt(exponent + 1074);
  return bits >> 63n ? -scaled : scaled;
}

interface RefWindow {
  key: number;
  start: number;
  end: number;
  values: number[];
}

/**
 * The spec, executed literally. One instance per stream.
 *
 * Bookkeeping (kept only so long streams stay fast, not to be clever): open
 * windows are grouped by their end, so that when closeWm advances the windows
 * that close are found by looking at the few distinct ends rather than at every
 * window. A closed window is dropped: nothing can be added to it any more, and
 * it has been emitted (append: always; update: if it changed in this batch).
 */
export class ReferenceWindows {
  private maxTs = -Infinity;
  private drained = false;
  /** Open windows by end, then by `${key}|${start}`. */
  private readonly openByEnd = new Map<number, Map<string, RefWindow>>();
  /** update mode: open windows that got events in the current batch. */
  private readonly changed = new Set<RefWindow>();

  constructor(readonly cfg: WindowConfig) {
    if (!Number.isInteger(cfg.size) || !Number.isInteger(cfg.slide) || cfg.slide < 1 || cfg.slide > cfg.size) {
      throw new RangeError('reference: bad size/slide');
    }
    this.lagExact = exactScaled(cfg.delay) + exactScaled(cfg.lateness);
    // whole-ms delay and lateness: every subtraction is exact for |ts| < 2^53, no need to check
    this.checkExact = !Number.isInteger(cfg.delay) || !Number.isInteger(cfg.lateness);
  }

  /** watermark = maxTs − delay; null before any event. */
  watermark(): number | null {
    return this.maxTs === -Infinity ? null : this.maxTs - this.cfg.delay;
  }

  /** closeWm = maxTs − delay − lateness, evaluated as the spec writes it (left to right, in doubles). */
  private closeWm(): number {
    return this.maxTs - this.cfg.delay - this.cfg.lateness;
  }

  /**
   * A window is closed once closeWm ≥ its end.
   *
   * With whole-ms (or dyadic, like 0.5) delays every evaluation order of
   * maxTs − delay − lateness is exact, so there is nothing to decide. With a
   * non-dyadic fractional delay (0.1, 0.3 ms) the subtraction rounds, and a
   * decision within an ulp of a window end may differ from the decision in
   * exact real arithmetic. Such a decision is ambiguous (an implementation
   * that rounds differently is not wrong): we keep the spec's formula but
   * count the ambiguous decisions (comparing against exact scaled integers,
   * see exactScaled) so tests can skip those streams.
   */
  private isClosed(end: number): boolean {
    if (this.maxTs === -Infinity) return false;
    const closed = this.closeWm() >= end;
    if (this.checkExact && closed !== this.maxTsExact - this.lagExact >= exactScaled(end)) this.ambiguous++;
    return closed;
  }
  /** Decisions where the spec's double formula and exact arithmetic disagree (see isClosed). */
  ambiguous = 0;
  private maxTsExact = 0n;
  private readonly lagExact: bigint;
  private readonly checkExact: boolean;

  /** Starts of all windows containing ts: j·slide with j·slide ≤ ts < j·slide + size. */
  windowStarts(ts: number): number[] {
    const { size, slide } = this.cfg;
    const starts: number[] = [];
    for (let j = Math.floor(ts / slide); j * slide + size > ts; j--) {
      if (j * slide <= ts) starts.push(j * slide);
    }
    return starts;
  }

  /** Processes one batch; returns what it emitted. */
  process(events: readonly StreamEvent[]): CallOut {
    const out: CallOut = { windows: [], late: [] };
    events.forEach((e, row) => {
      this.event(e, row, out);
    });
    if (this.cfg.mode === 'update') {
      // every not-yet-closed window that received events in this batch
      for (const w of this.changed) out.windows.push(aggregate(w.key, w.start, w.end, w.values));
      this.changed.clear();
    }
    return out;
  }

  /** End of input. */
  flush(): CallOut {
    const out: CallOut = { windows: [], late: [] };
    // append: every window not yet emitted (every open one: closed ones were emitted when they closed).
    // update: nothing is pending, every changed window was emitted at the end of its batch.
    if (this.cfg.mode === 'append') {
      for (const ws of this.openByEnd.values()) for (const w of ws.values()) out.windows.push(aggregate(w.key, w.start, w.end, w.values));
    }
    for (const w of this.changed) out.windows.push(aggregate(w.key, w.start, w.end, w.values));
    this.changed.clear();
    this.openByEnd.clear();
    this.drained = true;
    return out;
  }

  private event(e: StreamEvent, row: number, out: CallOut): void {
    // 1. maxTs first, then close every window whose end ≤ closeWm. Emit them
    //    now (their order is irrelevant to the order-insensitive comparison).
    if (e.ts > this.maxTs) {
      this.maxTs = e.ts;
      this.maxTsExact = exactScaled(e.ts);
    }
    for (const [end, ws] of this.openByEnd) {
      if (!this.isClosed(end)) continue;
      for (const w of ws.values()) {
        if (this.cfg.mode === 'append') out.windows.push(aggregate(w.key, w.start, w.end, w.values));
        else if (this.changed.delete(w)) out.windows.push(aggregate(w.key, w.start, w.end, w.values));
      }
      this.openByEnd.delete(end);
    }
    // 2. The event goes to each of its windows that is not closed; late if there is none.
    const open = this.drained ? [] : this.windowStarts(e.ts).filter((s) => !this.isClosed(s + this.cfg.size));
    if (open.length === 0) {
      out.late.push({ ts: e.ts, key: e.key, value: e.value, row });
      return;
    }
    for (const start of open) {
      const end = start + this.cfg.size;
      let ws = this.openByEnd.get(end);
      if (!ws) this.openByEnd.set(end, (ws = new Map()));
      const id = `${e.key}|${start}`;
      let w = ws.get(id);
      if (!w) ws.set(id, (w = { key: e.key, start, end, values: [] }));
      w.values.push(e.value);
      if (this.cfg.mode === 'update') this.changed.add(w);
    }
  }
}

// ── drivers ───────────────────────────────────────────────────────────────

/** Splits `events` into consecutive batches of the given sizes (must add up to events.length). */
export function splitBatches<T>(events: readonly T[], sizes: readonly number[]): T[][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== events.length) throw new Error(`batch sizes add up to ${total}, stream has ${events.length} events`);
  const out: T[][] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(events.slice(at, at + n));
    at += n;
  }
  return out;
}

/** Runs a stream through the reference, one process() per batch, then flush(). */
export function runReference(cfg: WindowConfig, events: readonly StreamEvent[], batchSizes: readonly number[] = [events.length]): RunOut {
  const ref = new ReferenceWindows(cfg);
  const batches = splitBatches(events, batchSizes).map((b) => {
    const out = ref.process(b);
    out.watermark = ref.watermark();
    return out;
  });
  const flush = ref.flush();
  return { batches, flush, ambiguous: ref.ambiguous };
}

/** Reads the window records of the core's last call as plain objects (in the core's order). */
export function readWindows(core: WasmCore): WindowOut[] {
  const { data, offset, count, width } = core.windowRecords();
  const out: WindowOut[] = [];
  for (let i = 0; i < count; i++) {
    const r = offset + i * width;
    const f = (field: number): number => data[r + field]!;
    out.push({
      key: f(W_KEY),
      start: f(W_START),
      end: f(W_END),
      count: f(W_COUNT),
      sum: f(W_SUM),
      avg: f(W_AVG),
      stddev: f(W_STDDEV),
      min: f(W_MIN),
      max: f(W_MAX),
    });
  }
  return out;
}

/** Reads the late-event records of the core's last call as plain objects. */
export function readLate(core: WasmCore): LateOut[] {
  const { data, offset, count, width } = core.lateRecords();
  const out: LateOut[] = [];
  for (let i = 0; i < count; i++) {
    const r = offset + i * width;
    out.push({ ts: data[r + L_TS]!, key: data[r + L_KEY]!, value: data[r + L_VALUE]!, row: data[r + L_ROW]! });
  }
  return out;
}

/** Raw f64 copy of the window records of the core's last call (for bit-exact comparisons). */
export function readWindowBits(core: WasmCore): Float64Array {
  const { data, offset, count, width } = core.windowRecords();
  return data.slice(offset, offset + count * width);
}

/** Writes one batch into the core's input columns and processes it. */
export function feedBatch(core: WasmCore, batch: readonly StreamEvent[]): void {
  const cols = core.reserve(batch.length);
  batch.forEach((e, i) => {
    cols.ts[i] = e.ts;
    cols.key[i] = e.key;
    cols.value[i] = e.value;
  });
  core.process(batch.length);
}

export function configureCore(core: WasmCore, cfg: WindowConfig): void {
  core.configure({ sizeMs: cfg.size, slideMs: cfg.slide, delayMs: cfg.delay, latenessMs: cfg.lateness, mode: cfg.mode });
}

export interface CoreRunOptions {
  /**
   * Snapshot the core after this many batches and continue in a FRESH core
   * restored from the snapshot (0 = before the first batch; batchSizes.length =
   * just before flush). Undefined: no snapshot.
   */
  snapshotAfter?: number;
}

/**
 * Runs a stream through the wasm core the same way as runReference. `newCore`
 * makes a fresh, unconfigured core (e.g. () => loadCore()); the first one is
 * configured, the one after a snapshot is only restored.
 */
export function runCore(
  newCore: () => WasmCore,
  cfg: WindowConfig,
  events: readonly StreamEvent[],
  batchSizes: readonly number[] = [events.length],
  opts: CoreRunOptions = {},
): RunOut {
  let core = newCore();
  configureCore(core, cfg);
  const batches: CallOut[] = [];
  const handOver = (): void => {
    const bytes = core.snapshot();
    core = newCore();
    core.restore(bytes);
  };
  splitBatches(events, batchSizes).forEach((b, i) => {
    if (opts.snapshotAfter === i) handOver();
    feedBatch(core, b);
    batches.push({ windows: readWindows(core), late: readLate(core), watermark: core.watermark() });
  });
  if (opts.snapshotAfter === batchSizes.length) handOver();
  core.flush();
  const flush: CallOut = { windows: readWindows(core), late: readLate(core) };
  return { batches, flush };
}

/** All windows of a run in output order: every batch, then the flush. */
export function allWindows(run: RunOut): WindowOut[] {
  return [...run.batches.flatMap((b) => b.windows), ...run.flush.windows];
}

/** All late events of a run, with the index of the batch they came from. */
export function allLate(run: RunOut): (LateOut & { batch: number })[] {
  return run.batches.flatMap((b, batch) => b.late.map((l) => ({ ...l, batch })));
}

/** Order used to compare window lists order-insensitively: by end, start, key. */
export function byEndStartKey(a: WindowOut, b: WindowOut): number {
  return a.end - b.end || a.start - b.start || a.key - b.key;
}

export function sortWindows(ws: readonly WindowOut[]): WindowOut[] {
  return [...ws].sort(byEndStartKey);
}
