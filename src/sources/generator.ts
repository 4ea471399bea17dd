/**
 * Synthetic metrics: K keys with a daily cycle, noise, injected spikes,
 * jittered and late events. For demos, tests and benchmarks.
 *
 * Every row is a pure function of (options, row index): row i belongs to key
 * `i mod K` at event time `start + floor(i / K) · step` (all keys at t, then
 * all at t + step …), and its random draws come from a PRNG reseeded with
 * hash(seed, i). So the data do not depend on batch sizes, pacing or how
 * often the source is restarted, and {@link GeneratorSource.rowAt} can
 * regenerate any row on its own.
 *
 * Value of key k at event time ts:
 *
 *     base_k + amplitude_k · sin(2π · (ts − start) / season + phase_k) + noise · base_k · N(0, 1)
 *
 * where base_k is log-uniform in [10, 1000), amplitude_k is 10–40 % of it
 * and phase_k is uniform, all drawn from the seed. A spike (probability
 * `anomalyRate` per event) adds ± anomalyMagnitude noise sigmas. Jitter moves
 * an event's time back by up to `jitter` (never forward, so a watermark delay
 * of `jitter` drops no jittered event); a late event (probability `lateRate`)
 * is moved back by a further `lateBy`.
 *
 * No Node-only imports: usable in browsers.
 */
import { parseDuration, type Duration } from '../engine/duration.js';
import { parseTimestamp } from '../engine/timestamp.js';
import { checkMaxRows } from './batchBuilder.js';
import { hashSeed, Prng } from './prng.js';
import type { Row, Source, SourceBatch } from '../engine/source.js';
import { Breather, sleep } from '../engine/wait.js';

/** Options of {@link generatorSource}; all optional. */
export interface GeneratorOptions {
  /** Number of keys (series); default 8. */
  keys?: number;
  /** PRNG seed (an integer); default 42. */
  seed?: number;
  /** Event time of the first events: epoch s/ms, ISO-8601 or Date; default 2024-01-01T00:00:00Z. */
  start?: number | string | Date;
  /** Event-time interval between two events of the same key; default '1 s'. */
  step?: Duration;
  /** Events per wall-clock second; 0 or 'max' = as fast as possible (default 'max'). */
  rate?: number | 'max';
  /** Total number of rows; absent = endless. */
  limit?: number;
  /** Period of the seasonal cycle; default '1 day'. */
  season?: Duration;
  /** Noise standard deviation relative to a key's base level; default 0.05. */
  noise?: number;
  /** Probability per event of an injected spike; default 0.001. */
  anomalyRate?: number;
  /** Spike size in noise sigmas; default 8. */
  anomalyMagnitude?: number;
  /** Largest backward displacement of an event's time (out-of-orderness); default 0. */
  jitter?: Duration;
  /** Fraction of events whose time is pushed back by `lateBy`; default 0. */
  lateRate?: number;
  /** How far back late events are pushed; default '30 minutes'. */
  lateBy?: Duration;
  /** When true, spikes carry `anomaly: true` and late events `late: true`; default false. */
  markAnomalies?: boolean;
  /** Name of the key field; default 'metric'. */
  keyField?: string;
}

/** Names of the first keys; further keys are `metric_<index>` (0-based: the ninth is metric_8). */
export const KEY_NAMES: readonly string[] = ['cpu', 'memory', 'disk_io', 'net_in', 'net_out', 'latency_ms', 'requests', 'errors'];

/** Event types drawn uniformly for each row (used by sequence patterns). */
export const EVENT_TYPES: readonly string[] = ['A', 'B', 'C', 'D'];

/** The name of key `index` (0-based). */
export function keyName(index: number): string {
  return KEY_NAMES[index] ?? `metric_${index}`;
}

/** Default start of event time. */
export const DEFAULT_START = '2024-01-01T00:00:00Z';

/** Noise used to size spikes when `noise` is 0, so spikes stay visible. */
const SPIKE_NOISE_FALLBACK = 0.05;
/** Longest stretch between two paced releases, in ms. */
const TICK_MS = 50;
/** Salt that keeps per-key draws apart from per-row draws of the same seed. */
const KEY_SALT = 0x4b3e_11d7;

/** Validated, resolved generator settings. */
interface GeneratorConfig {
  keys: number;
  seed: number;
  start: number;
  step: number;
  rate: number; // Infinity = as fast as possible
  limit: number | undefined;
  season: number;
  noise: number;
  anomalyRate: number;
  anomalyMagnitude: number;
  jitter: number;
  lateRate: number;
  lateBy: number;
  markAnomalies: boolean;
  keyField: string;
}

/** A seeded synthetic source; bounded when it has a `limit`. */
export class GeneratorSource implements Source {
  /** 'generator'. */
  readonly description = 'generator';
  /** True when `limit` is set. */
  readonly bounded: boolean;
  /** Names of the keys, in round-robin order. */
  readonly keyNames: readonly string[];
  private readonly config: GeneratorConfig;
  private readonly base: Float64Array;
  private readonly amplitude: Float64Array;
  private readonly phase: Float64Array;
  /** Reseeded for every row, so rows do not depend on one another. */
  private readonly prng = new Prng(0);

  /** Validates the options (RangeErrors name the option) and draws each key's shape. */
  constructor(options: GeneratorOptions = {}) {
    const config = resolveOptions(options);
    this.config = config;
    this.bounded = config.limit !== undefined;
    this.keyNames = Array.from({ length: config.keys }, (_, k) => keyName(k));
    this.base = new Float64Array(config.keys);
    this.amplitude = new Float64Array(config.keys);
    this.phase = new Float64Array(config.keys);
    const draw = new Prng(0);
    for (let k = 0; k < config.keys; k++) {
      draw.reseed(hashSeed(config.seed ^ KEY_SALT, k));
      const base = 10 ** draw.between(1, 3);
      this.base[k] = base;
      this.amplitude[k] = base * draw.between(0.1, 0.4);
      this.phase[k] = draw.between(0, 2 * Math.PI);
    }
  }

  /** Total rows, or undefined when endless. */
  get limit(): number | undefined {
    return this.config.limit;
  }

  /** The event time row `index` has before jitter and lateness (its place in the round-robin). */
  nominalTime(index: number): number {
    const { start, step, keys } = this.config;
    return start + Math.floor(index / keys) * step;
  }

  /** Row `index` (0-based) exactly as batches() yields it. */
  rowAt(index: number): Row {
    const c = this.config;
    const k = index % c.keys;
    const prng = this.prng;
    prng.reseed(hashSeed(c.seed, index));
    // Always draw the same numbers in the same order, so changing one option
    // (say markAnomalies or jitter) leaves every other aspect of the rows as is.
    const type = EVENT_TYPES[prng.int(EVENT_TYPES.length)]!;
    const jitterDraw = prng.uniform();
    const lateDraw = prng.uniform();
    const noiseDraw = prng.normal();
    const anomalyDraw = prng.uniform();
    const spikeSign = prng.uniform() < 0.5 ? -1 : 1;

    const late = lateDraw < c.lateRate;
    let timestamp = this.nominalTime(index) - Math.round(jitterDraw * c.jitter);
    if (late) timestamp -= c.lateBy;

    const base = this.base[k]!;
    const seasonal = this.amplitude[k]! * Math.sin((2 * Math.PI * (timestamp - c.start)) / c.season + this.phase[k]!);
    let value = base + seasonal + c.noise * base * noiseDraw;
    const anomaly = anomalyDraw < c.anomalyRate;
    if (anomaly) value += spikeSign * c.anomalyMagnitude * (c.noise > 0 ? c.noise : SPIKE_NOISE_FALLBACK) * base;

    const row: Row = { timestamp, [c.keyField]: this.keyNames[k], value: Math.round(value * 1000) / 1000, type };
    if (c.markAnomalies) {
      if (anomaly) row.anomaly = true;
      if (late) row.late = true;
    }
    return row;
  }

  /**
   * Yields rows from index 0: as fast as the consumer takes them, or with
   * `rate`, the rows due by now every ~50 ms (row i is due i / rate seconds
   * after the start, so pace does not drift). Stops on abort or at `limit`.
   */
  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    checkMaxRows(maxRows);
    const { rate, limit } = this.config;
    const end = limit ?? Infinity;
    const breather = new Breather();
    const startWall = performance.now();
    let lastYield = -Infinity;
    let index = 0;
    while (index < end) {
      if (signal.aborted) return;
      let due = end;
      if (rate !== Infinity) {
        // Rows 0 … floor(elapsed · rate) are due.
        const now = performance.now();
        due = Math.min(end, Math.floor(((now - startWall) * rate) / 1000) + 1);
        // Take them once a tick, unless a full batch waits: at a high rate the
        // rows due while the engine handled the last batch would otherwise
        // come at once, a batch of a few rows after another, and the loop
        // would never sleep (no timer, no I/O would run).
        const tickLeft = TICK_MS - (now - lastYield);
        if (index >= due || (due - index < maxRows && tickLeft > 0)) {
          const nextDue = startWall + (index * 1000) / rate;
          if (!(await sleep(index >= due ? Math.max(TICK_MS, nextDue - now) : tickLeft, signal))) return;
          continue;
        }
        lastYield = now;
      }
      const count = Math.min(maxRows, due - index);
      // For event→result latency: a paced row arrives when it falls due (a
      // backlog counts as waiting), an unpaced batch when it is built.
      const receivedAt = rate === Infinity ? performance.now() : startWall + (index * 1000) / rate;
      const rows: Row[] = new Array<Row>(count);
      for (let n = 0; n < count; n++) rows[n] = this.rowAt(index++);
      yield { rows, errors: [], receivedAt };
      // also when paced: an engine slower than the rate always has a full batch due
      await breather.maybe();
    }
  }
}

/** Creates a {@link GeneratorSource}: `generatorSource({ keys: 3, limit: 1000, seed: 7 })`. */
export function generatorSource(options: GeneratorOptions = {}): GeneratorSource {
  return new GeneratorSource(options);
}

function resolveOptions(o: GeneratorOptions): GeneratorConfig {
  const keys = integerOption('keys', o.keys, 8, 1);
  const seed = integerOption('seed', o.seed, 42, -Infinity);
  const start = parseTimestamp(o.start ?? DEFAULT_START);
  if (Number.isNaN(start)) throw new RangeError(`generator option 'start': cannot read ${show(o.start)} as a timestamp (epoch s/ms or ISO-8601)`);
  const step = durationOption('step', o.step, '1 s');
  if (step <= 0) throw new RangeError(`generator option 'step': expected a duration > 0, got ${show(o.step)}`);
  let rate = Infinity;
  if (o.rate !== undefined && o.rate !== 'max') {
    if (typeof o.rate !== 'number' || !Number.isFinite(o.rate) || o.rate < 0) {
      throw new RangeError(`generator option 'rate': expected events per second ≥ 0 or 'max', got ${show(o.rate)}`);
    }
    if (o.rate > 0) rate = o.rate;
  }
  const limit = o.limit === undefined ? undefined : integerOption('limit', o.limit, 0, 0);
  const season = durationOption('season', o.season, '1 day');
  if (season <= 0) throw new RangeError(`generator option 'season': expected a duration > 0, got ${show(o.season)}`);
  const keyField = o.keyField ?? 'metric';
  if (typeof keyField !== 'string' || keyField.length === 0 || keyField === '__proto__') {
    throw new RangeError(`generator option 'keyField': expected a field name, got ${show(o.keyField)}`);
  }
  if (['timestamp', 'value', 'type', 'anomaly', 'late'].includes(keyField)) {
    throw new RangeError(`generator option 'keyField': '${keyField}' is already a field of generated rows`);
  }
  if (o.markAnomalies !== undefined && typeof o.markAnomalies !== 'boolean') {
    throw new RangeError(`generator option 'markAnomalies': expected true or false, got ${show(o.markAnomalies)}`);
  }
  return {
    keys,
    seed,
    start,
    step,
    rate,
    limit,
    season,
    noise: numberOption('noise', o.noise, 0.05, 0, Infinity),
    anomalyRate: numberOption('anomalyRate', o.anomalyRate, 0.001, 0, 1),
    anomalyMagnitude: numberOption('anomalyMagnitude', o.anomalyMagnitude, 8, 0, Infinity),
    jitter: durationOption('jitter', o.jitter, 0),
    lateRate: numberOption('lateRate', o.lateRate, 0, 0, 1),
    lateBy: durationOption('lateBy', o.lateBy, '30 minutes'),
    markAnomalies: o.markAnomalies ?? false,
    keyField,
  };
}

function integerOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const bound = min === -Infinity ? '' : ` ≥ ${min}`;
    throw new RangeError(`generator option '${name}': expected an integer${bound}, got ${show(value)}`);
  }
  return value;
}

function numberOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`;
    throw new RangeError(`generator option '${name}': expected a number ${range}, got ${show(value)}`);
  }
  return value;
}

function durationOption(name: string, value: Duration | undefined, fallback: Duration): number {
  return parseDuration(value ?? fallback, `generator option '${name}'`);
}

/** Shows a bad option value in a message: strings quoted, everything else as String() does. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
