/**
 * Reference analytics stage (test/reference/zscore.ts, test/reference/holt.ts
 * and threshold patterns, keyed) and the drivers the stage tests use to run
 * the same stream through the wasm core.
 *
 * Spec of a stage row (one per scored row):
 *   [zscore, is_anomaly, level, trend, forecast, forecast_h, score, patterns, rolling_avg, rolling_stddev]
 *   - NaN where undefined or disabled: z-score off → zscore, is_anomaly,
 *     rolling_avg, rolling_stddev NaN; Holt off → level … forecast_h NaN;
 *     score (the detector, off in these tests) NaN.
 *   - patterns: bit 2i set when x > upper_i, bit 2i+1 when x < lower_i (NaN
 *     bound = none); 0 when no pattern matches (also with no patterns).
 *   - an invalid row (non-finite time or value, negative key) gets an all-NaN
 *     row and changes no state.
 *   - a stage with no kernel on outputs no rows at all.
 * Stage 0 (events) scores every input row of a call; stage 1 (windows) scores
 * the window records the call emitted, reading one field of the record
 * (default 5 = avg), with time = window end and key = window key.
 */
import type { WasmCore } from '../../src/core/wasmCore.js';
import {
  S_ZSCORE,
  S_IS_ANOMALY,
  S_LEVEL,
  S_TREND,
  S_FORECAST,
  S_FORECAST_H,
  S_SCORE,
  S_PATTERNS,
  S_ROLLING_AVG,
  S_ROLLING_STDDEV,
} from '../../src/core/exports.js';
import { ReferenceZScore, type ZScoreConfig, type ZScoreOut } from './zscore.js';
import { ReferenceHolt, type HoltConfig, type HoltOut } from './holt.js';
import { configureCore, readLate, readWindows, splitBatches, type CallOut, type StreamEvent, type WindowConfig, type WindowOut } from './windows.js';

// ── thresholds ────────────────────────────────────────────────────────────

/** One named bound set; NaN = no bound. */
export interface ThresholdBound {
  upper: number;
  lower: number;
}

/** Bit 2i when x > upper_i, bit 2i+1 when x < lower_i (comparisons with NaN are false). */
export function thresholdMask(bounds: readonly ThresholdBound[], x: number): number {
  let mask = 0;
  bounds.forEach((b, i) => {
    if (x > b.upper) mask += 2 ** (2 * i);
    if (x < b.lower) mask += 2 ** (2 * i + 1);
  });
  return mask;
}

// ── the reference stage ───────────────────────────────────────────────────

export interface StageConfig {
  zscore: ZScoreConfig | null;
  holt: HoltConfig | null;
  thresholds: ThresholdBound[];
}

/** A stage output row as named fields. */
export interface StageRow {
  zscore: number;
  isAnomaly: number;
  level: number;
  trend: number;
  forecast: number;
  forecastH: number;
  score: number;
  patterns: number;
  rollingAvg: number;
  rollingStddev: number;
}

/** A reference row, with what the tolerances need to know about how it was computed. */
export interface RefStageRow extends StageRow {
  z?: ZScoreOut;
  holt?: HoltOut;
  zThreshold?: number;
  horizon?: number;
}

export const NAN_ROW: StageRow = {
  zscore: NaN,
  isAnomaly: NaN,
  level: NaN,
  trend: NaN,
  forecast: NaN,
  forecastH: NaN,
  score: NaN,
  patterns: NaN,
  rollingAvg: NaN,
  rollingStddev: NaN,
};

export function stageEnabled(cfg: StageConfig): boolean {
  return cfg.zscore !== null || cfg.holt !== null || cfg.thresholds.length > 0;
}

export class ReferenceStage {
  private readonly z: ReferenceZScore | null;
  private readonly holt: ReferenceHolt | null;

  constructor(readonly cfg: StageConfig) {
    this.z = cfg.zscore ? new ReferenceZScore(cfg.zscore) : null;
    this.holt = cfg.holt ? new ReferenceHolt(cfg.holt) : null;
  }

  /** Scores one row (or returns the all-NaN row for an invalid one, leaving the state alone). */
  step(k: number, ts: number, x: number): RefStageRow {
    if (!Number.isFinite(ts) || !Number.isFinite(x) || k < 0) return { ...NAN_ROW };
    const row: RefStageRow = { ...NAN_ROW, patterns: thresholdMask(this.cfg.thresholds, x) };
    if (this.z) {
      const z = this.z.step(k, ts, x);
      Object.assign(row, { zscore: z.z, isAnomaly: z.anomaly, rollingAvg: z.mean, rollingStddev: z.stddev, z, zThreshold: this.z.cfg.threshold });
    }
    if (this.holt) {
      const h = this.holt.step(k, ts, x);
      Object.assign(row, { level: h.level, trend: h.trend, forecast: h.forecast, forecastH: h.forecastH, holt: h, horizon: this.holt.cfg.horizon });
    }
    return row;
  }
}

/** Reference rows of the events stage for a whole stream (one per row; none if the stage is off). */
export function referenceEventRows(cfg: StageConfig, events: readonly StreamEvent[]): RefStageRow[] {
  if (!stageEnabled(cfg)) return [];
  const stage = new ReferenceStage(cfg);
  return events.map((e) => stage.step(e.key, e.ts, e.value));
}

// ── the core ──────────────────────────────────────────────────────────────

/** The stage exports (cast: the host's export list may not name them yet). */
export interface StageExports {
  window_enable(on: number): void;
  stage_zscore(stage: number, mode: number, rows: number, timeMs: number, threshold: number): number;
  stage_holt(stage: number, enabled: number, alpha: number, beta: number, gamma: number, horizon: number, slots: number, seasonMs: number): number;
  stage_thresholds_clear(stage: number): void;
  stage_threshold(stage: number, i: number, upper: number, lower: number): number;
  stage_window_field(field: number): number;
  stage_reset(stage: number): void;
  out_stage_ptr(stage: number): number;
  out_stage_count(stage: number): number;
  out_stage_width(): number;
  out_windows_count(): number;
  memory: WebAssembly.Memory;
}

export function stageExports(core: WasmCore): StageExports {
  return core.exports as unknown as StageExports;
}

/** Configures one stage through the raw exports; throws if the core rejects a setting. */
export function configureStage(core: WasmCore, stage: number, cfg: StageConfig): void {
  const ex = stageExports(core);
  const z = cfg.zscore;
  const zr =
    z === null
      ? ex.stage_zscore(stage, 0, 0, 0, 2)
      : z.mode === 'rows'
        ? ex.stage_zscore(stage, 1, z.rows, 0, z.threshold)
        : ex.stage_zscore(stage, 2, z.maxRows, z.timeMs, z.threshold);
  if (zr !== 0) throw new Error(`stage_zscore rejected ${JSON.stringify(z)}`);
  const h = cfg.holt;
  const slots = h === null || h.season.kind === 'none' ? 0 : h.season.m;
  const seasonMs = h !== null && h.season.kind === 'time' ? h.season.seasonMs : 0;
  const hr = h === null ? ex.stage_holt(stage, 0, 0.3, 0.3, 0.1, 10, 0, 0) : ex.stage_holt(stage, 1, h.alpha, h.beta, h.gamma, h.horizon, slots, seasonMs);
  if (hr !== 0) throw new Error(`stage_holt rejected ${JSON.stringify(h)}`);
  ex.stage_thresholds_clear(stage);
  cfg.thresholds.forEach((b, i) => {
    if (ex.stage_threshold(stage, i, b.upper, b.lower) !== 0) throw new Error(`stage_threshold rejected pattern ${i}`);
  });
}

/** Raw f64 copy of a stage's output records of the core's last call (one Float64Array per row). */
export function readStageRaw(core: WasmCore, stage: number): Float64Array[] {
  const ex = stageExports(core);
  const n = ex.out_stage_count(stage);
  const width = ex.out_stage_width();
  const at = ex.out_stage_ptr(stage) >>> 3;
  const f = new Float64Array(ex.memory.buffer);
  return Array.from({ length: n }, (_, i) => f.slice(at + i * width, at + (i + 1) * width));
}

export function toStageRow(r: Float64Array): StageRow {
  const f = (i: number): number => r[i]!;
  return {
    zscore: f(S_ZSCORE),
    isAnomaly: f(S_IS_ANOMALY),
    level: f(S_LEVEL),
    trend: f(S_TREND),
    forecast: f(S_FORECAST),
    forecastH: f(S_FORECAST_H),
    score: f(S_SCORE),
    patterns: f(S_PATTERNS),
    rollingAvg: f(S_ROLLING_AVG),
    rollingStddev: f(S_ROLLING_STDDEV),
  };
}

/** What one core call (a batch or the flush) produced. */
export interface StageCallOut {
  /** Events-stage rows (raw). */
  events: Float64Array[];
  /** Window records, and the raw window records (for the field the windows stage read). */
  windows: WindowOut[];
  windowRaw: Float64Array[];
  /** Windows-stage rows (raw). */
  windowRows: Float64Array[];
  late: CallOut['late'];
}

export interface StageRun {
  batches: StageCallOut[];
  flush: StageCallOut;
}

export interface StageRunOptions {
  /** Stage configs; null = leave the stage off. */
  events: StageConfig | null;
  windowsStage?: StageConfig | null;
  /** Window configuration, or null to switch the window kernel off (window_enable(0)). */
  windows: WindowConfig | null;
  /** Field of the window record the windows stage reads (default: the core's default, avg). */
  windowField?: number;
  /** Snapshot after this many batches and continue in a FRESH, unconfigured core restored from it. */
  snapshotAfter?: number;
}

function readCall(core: WasmCore): StageCallOut {
  const { data, offset, count, width } = core.windowRecords();
  return {
    events: readStageRaw(core, 0),
    windows: readWindows(core),
    windowRaw: Array.from({ length: count }, (_, i) => data.slice(offset + i * width, offset + (i + 1) * width)),
    windowRows: readStageRaw(core, 1),
    late: readLate(core),
  };
}

/** Writes one batch (invalid rows included, as given) into the core's input columns and processes it. */
export function feedRows(core: WasmCore, batch: readonly StreamEvent[]): void {
  const cols = core.reserve(batch.length);
  batch.forEach((e, i) => {
    cols.ts[i] = e.ts;
    cols.key[i] = e.key;
    cols.value[i] = e.value;
  });
  core.process(batch.length);
}

/**
 * Runs a stream through a core: configure (windows or window_enable(0), the
 * stages), one process() per batch, then flush(). With snapshotAfter the state
 * moves through snapshot → restore into a fresh core that is NOT configured:
 * stage and window configuration must come back from the snapshot.
 */
export function runStagesCore(newCore: () => WasmCore, events: readonly StreamEvent[], sizes: readonly number[], opts: StageRunOptions): StageRun {
  let core = newCore();
  const ex = stageExports(core);
  if (opts.windows) configureCore(core, opts.windows);
  else ex.window_enable(0);
  if (opts.events) configureStage(core, 0, opts.events);
  if (opts.windowsStage) configureStage(core, 1, opts.windowsStage);
  if (opts.windowField !== undefined && ex.stage_window_field(opts.windowField) !== 0) throw new Error(`stage_window_field(${opts.windowField}) rejected`);
  const handOver = (): void => {
    const bytes = core.snapshot();
    core = newCore();
    core.restore(bytes);
  };
  const batches = splitBatches(events, sizes).map((b, i) => {
    if (opts.snapshotAfter === i) handOver();
    feedRows(core, b);
    return readCall(core);
  });
  if (opts.snapshotAfter === sizes.length) handOver();
  core.flush();
  return { batches, flush: readCall(core) };
}

/** All events-stage rows of a run, in stream order. */
export function allEventRows(run: StageRun): Float64Array[] {
  return run.batches.flatMap((b) => b.events);
}

/** Bit pattern of raw rows (NaN = NaN, 0 ≠ −0), for exact comparisons. */
export function rowBits(rows: readonly Float64Array[]): string {
  return rows.map((r) => Array.from(new BigUint64Array(r.buffer, r.byteOffset, r.length), (b) => b.toString(16)).join(',')).join('\n');
}
