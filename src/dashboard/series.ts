/**
 * One key's chart data: the last `capacity` window results in ring buffers
 * (typed arrays allocated once), laid on a grid of window ends one slide
 * apart, so a key that skips windows shows gaps and the Holt forecast made at
 * slot i can be drawn `horizon` slots ahead (window end + horizon × slide).
 *
 * Nothing here grows with time: the rings, the uPlot arrays built from them
 * (reused on every redraw) and the sequence-match annotations are bounded.
 */

/** Anomaly flag of a slot: the seed's z-score rule (`is_anomaly`). */
export const FLAG_ZSCORE = 1;
/** Anomaly flag of a slot: the default score at or above {@link SCORE_ALERT}. */
export const FLAG_SCORE = 2;

/** The default score's alert level (the server's ANOMALY_SCORE_ALERT, nupic's red zone). */
export const SCORE_ALERT = 0.5;

/** Sequence matches kept per series for annotations. */
export const MAX_MATCHES = 64;

/** uPlot series index in a key chart: window average. */
export const SERIES_AVG = 1;
/** uPlot series index in a key chart: average + stddev (the band's top). */
export const SERIES_HI = 2;
/** uPlot series index in a key chart: average − stddev (the band's bottom). */
export const SERIES_LO = 3;
/** uPlot series index in a key chart: window min. */
export const SERIES_MIN = 4;
/** uPlot series index in a key chart: window max. */
export const SERIES_MAX = 5;
/** uPlot series index in a key chart: Holt forecast, drawn `horizon` slots ahead. */
export const SERIES_FORECAST = 6;
/** uPlot series index in a key chart: z-score anomaly markers. */
export const SERIES_ANOMALY_Z = 7;
/** uPlot series index in a key chart: anomaly-score markers. */
export const SERIES_ANOMALY_SCORE = 8;
/** Series in a key chart, x included. */
export const SERIES_COUNT = 9;

/** A sequence match on a key: drawn as a shaded span with the pattern's name. */
export interface MatchMark {
  pattern: string;
  /** Seconds (uPlot's time unit). */
  start: number;
  end: number;
}

/** The last values of a series, as exposed for tests and shown in the chart title. */
export interface LastValues {
  window_end: string;
  avg_value: number | null;
  stddev_value: number | null;
  min_value: number | null;
  max_value: number | null;
  count: number | null;
  forecast_h: number | null;
  zscore: number | null;
  anomaly_score: number | null;
  is_anomaly: boolean;
  detected_patterns: string[];
}

type Rec = Record<string, unknown>;

/** The record fields a series reads (null: the pipeline does not compute it). */
export interface SeriesFields {
  value: string;
  stddev: string | null;
  min: string | null;
  max: string | null;
  count: string | null;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** One key's chart data in bounded rings (see the module comment). */
export class Series {
  readonly capacity: number;
  // ring buffers, slot i at (head + i) % capacity
  private readonly t: Float64Array;
  private readonly avg: Float64Array;
  private readonly std: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly fh: Float64Array;
  private readonly flags: Uint8Array;
  private head = 0;
  /** Slots filled (≤ capacity). */
  count = 0;
  /** Records appended since the page loaded (monotonic). */
  appended = 0;
  /** Largest `count` ever reached (never above capacity). */
  maxCount = 0;
  /** Times the series was cleared because time jumped (a restarted server). */
  resets = 0;
  /** Anomalies seen on this key, by rule. */
  seenZscore = 0;
  seenScore = 0;
  /** Window records carrying a threshold pattern. */
  thresholdHits = 0;
  last: LastValues | null = null;
  /** Sequence matches, oldest first (bounded). */
  readonly matches: MatchMark[] = [];
  /** Set when data changed since the last redraw. */
  dirty = false;
  // arrays handed to uPlot, refilled in place on every redraw
  private readonly out: (number | null)[][];

  constructor(
    readonly key: string,
    capacity: number,
  ) {
    this.capacity = capacity;
    this.t = new Float64Array(capacity);
    this.avg = new Float64Array(capacity);
    this.std = new Float64Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.fh = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.out = Array.from({ length: SERIES_COUNT }, () => []);
  }

  /** Clears the rings (the key's history no longer lines up: a restarted server, a changed slide). */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.matches.length = 0;
    this.dirty = true;
  }

  /** Seconds of the newest slot, NaN when empty. */
  get lastT(): number {
    return this.count === 0 ? NaN : this.t[(this.head + this.count - 1) % this.capacity]!;
  }

  /** Seconds of the oldest slot, NaN when empty. */
  get firstT(): number {
    return this.count === 0 ? NaN : this.t[this.head]!;
  }

  /** Markers currently in the rings, by rule. */
  markers(): { zscore: number; score: number } {
    let zscore = 0;
    let score = 0;
    for (let i = 0; i < this.count; i++) {
      const f = this.flags[(this.head + i) % this.capacity]!;
      if (f & FLAG_ZSCORE) zscore++;
      if (f & FLAG_SCORE) score++;
    }
    return { zscore, score };
  }

  /**
   * Adds a window record ending at `endSec`; `slideSec` (0 = unknown) places
   * it on the slot grid. Returns the record's anomaly flags.
   */
  add(record: Rec, endSec: number, slideSec: number, fields: SeriesFields): number {
    const avg = num(record[fields.value]);
    const std = fields.stddev === null ? NaN : num(record[fields.stddev]);
    const min = fields.min === null ? NaN : num(record[fields.min]);
    const max = fields.max === null ? NaN : num(record[fields.max]);
    const score = num(record.anomaly_score);
    let flags = 0;
    if (record.is_anomaly === true) flags |= FLAG_ZSCORE;
    if (score >= SCORE_ALERT) flags |= FLAG_SCORE;
    const slot = this.slotFor(endSec, slideSec);
    if (slot < 0) return flags;
    const at = (this.head + slot) % this.capacity;
    this.t[at] = endSec;
    this.avg[at] = avg;
    this.std[at] = std;
    this.min[at] = min;
    this.max[at] = max;
    this.fh[at] = num(record.forecast_h);
    this.flags[at] = flags;
    this.appended++;
    if (flags & FLAG_ZSCORE) this.seenZscore++;
    if (flags & FLAG_SCORE) this.seenScore++;
    const patterns = Array.isArray(record.detected_patterns) ? (record.detected_patterns as unknown[]).map(String) : [];
    if (patterns.length > 0) this.thresholdHits++;
    if (slot === this.count - 1 && endSec >= (Number.isNaN(this.lastT) ? -Infinity : this.lastT)) {
      const window = record.window as { end?: unknown } | undefined;
      this.last = {
        window_end: typeof window?.end === 'string' ? window.end : new Date(endSec * 1000).toISOString(),
        avg_value: orNull(avg),
        stddev_value: orNull(std),
        min_value: orNull(min),
        max_value: orNull(max),
        count: fields.count === null ? null : orNull(num(record[fields.count])),
        forecast_h: orNull(num(record.forecast_h)),
        zscore: orNull(num(record.zscore)),
        anomaly_score: orNull(score),
        is_anomaly: record.is_anomaly === true,
        detected_patterns: patterns,
      };
    }
    this.dirty = true;
    return flags;
  }

  /** Adds a sequence match (times in seconds). */
  addMatch(pattern: string, start: number, end: number): void {
    if (this.matches.length >= MAX_MATCHES) this.matches.shift();
    this.matches.push({ pattern, start, end });
    this.dirty = true;
  }

  /**
   * The slot index (0 = oldest) a record ending at `t` goes to, appending
   * empty slots for skipped windows; −1 when the record is older than the
   * rings hold.
   */
  private slotFor(t: number, slide: number): number {
    if (this.count === 0) return this.push(t);
    const last = this.lastT;
    if (!(slide > 0)) {
      // no grid (unknown slide): append in time order, replace an equal time
      if (t > last) return this.push(t);
      if (t === last) return this.count - 1;
      if (t < this.firstT) {
        this.restart();
        return this.push(t);
      }
      return -1;
    }
    const steps = Math.round((t - last) / slide);
    if (steps >= 1) {
      if (steps > this.capacity) {
        this.restart();
        return this.push(t);
      }
      for (let s = 1; s < steps; s++) this.push(last + s * slide); // skipped windows: empty slots
      return this.push(t);
    }
    const index = this.count - 1 + steps;
    if (index >= 0) return index; // a window of a slot already laid out (records of one batch may come out of order)
    if (-steps >= this.capacity) {
      // far older than anything held: the stream started over (a restarted server)
      this.restart();
      return this.push(t);
    }
    return -1;
  }

  private restart(): void {
    this.resets++;
    this.clear();
  }

  private push(t: number): number {
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    const at = (this.head + this.count) % this.capacity;
    this.t[at] = t;
    this.avg[at] = NaN;
    this.std[at] = NaN;
    this.min[at] = NaN;
    this.max[at] = NaN;
    this.fh[at] = NaN;
    this.flags[at] = 0;
    this.count++;
    if (this.count > this.maxCount) this.maxCount = this.count;
    return this.count - 1;
  }

  /**
   * Fills the uPlot arrays (reused) from the rings: the slots, then `horizon`
   * future slots for the forecast line. Returns them (x, avg, avg+σ, avg−σ,
   * min, max, forecast, z-score markers, score markers).
   */
  data(slide: number, horizon: number): (number | null)[][] {
    const n = this.count;
    const h = slide > 0 && n > 0 ? Math.min(horizon, this.capacity) : 0;
    const len = n + h;
    const out = this.out;
    for (const a of out) if (a.length !== len) a.length = len;
    const [x, avg, hi, lo, mn, mx, fc, az, as] = out as [
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
      (number | null)[],
    ];
    const cap = this.capacity;
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) % cap;
      const a = this.avg[at]!;
      const s = this.std[at]!;
      const f = this.flags[at]!;
      x[i] = this.t[at]!;
      avg[i] = orNull(a);
      hi[i] = Number.isNaN(a) || Number.isNaN(s) ? null : a + s;
      lo[i] = Number.isNaN(a) || Number.isNaN(s) ? null : a - s;
      mn[i] = orNull(this.min[at]!);
      mx[i] = orNull(this.max[at]!);
      az[i] = f & FLAG_ZSCORE ? orNull(a) : null;
      as[i] = f & FLAG_SCORE ? orNull(a) : null;
    }
    const lastT = n > 0 ? x[n - 1]! : 0;
    for (let j = 0; j < h; j++) {
      const i = n + j;
      x[i] = lastT + (j + 1) * slide;
      avg[i] = hi[i] = lo[i] = mn[i] = mx[i] = az[i] = as[i] = null;
    }
    // the forecast made at slot i is for slot i + h
    for (let i = 0; i < len; i++) {
      const src = i - h;
      fc[i] = h > 0 && src >= 0 && src < n ? orNull(this.fh[(this.head + src) % cap]!) : null;
    }
    this.dirty = false;
    return out;
  }
}

/**
 * The y range of a key chart: the average, its ±σ band and the forecast set
 * the range; min/max may widen it by at most twice that span on each side,
 * so a single huge spike in max_value does not flatten everything else.
 */
export function yRange(out: readonly (readonly (number | null)[])[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of [SERIES_AVG, SERIES_HI, SERIES_LO, SERIES_FORECAST]) {
    for (const v of out[s] ?? []) {
      if (v === null || v === undefined) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const span = Math.max(hi - lo, Math.abs(hi) * 1e-3, 1e-9);
  let min = lo;
  let max = hi;
  for (const v of out[SERIES_MIN] ?? []) if (v !== null && v !== undefined && v < min) min = Math.max(v, lo - 2 * span);
  for (const v of out[SERIES_MAX] ?? []) if (v !== null && v !== undefined && v > max) max = Math.min(v, hi + 2 * span);
  const pad = (max - min) * 0.05 || span * 0.05;
  return [min - pad, max + pad];
}
