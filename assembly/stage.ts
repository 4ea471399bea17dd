/**
 * An analytics stage: the per-row kernels (rolling z-score, Holt /
 * Holt-Winters, threshold patterns, the default anomaly score) run over one
 * stream of rows, keyed.
 *
 * There are two stages, each with its own state:
 *  - the events stage scores every input row of a batch (row i of the output
 *    belongs to input row i; invalid rows get NaN);
 *  - the windows stage scores the window records a batch emitted (append
 *    mode), reading one field of them — avg by default, as the seed runs its
 *    z-score on avg_value — with the window end as time.
 *
 * Output record per row, STAGE_WIDTH f64 (80 bytes):
 *
 * ┌────────┬────────────┬───────┬───────┬──────────┬────────────┬───────┬──────────┬─────────────┬────────────────┐
 * │ zscore │ is_anomaly │ level │ trend │ forecast │ forecast_h │ score │ patterns │ rolling_avg │ rolling_stddev │
 * └────────┴────────────┴───────┴───────┴──────────┴────────────┴───────┴──────────┴─────────────┴────────────────┘
 *   NaN where undefined or disabled; is_anomaly 0/1; patterns = threshold bit mask (0 without thresholds);
 *   rolling_avg/stddev are the z-score window's (the seed's columns)
 */
import { RecordBuffer } from "./buffers";
import { STAGE_WIDTH, STAGE_EVENTS, STAGE_WINDOWS, S_ZSCORE, S_IS_ANOMALY, S_LEVEL, S_TREND, S_FORECAST, S_FORECAST_H, S_SCORE, S_PATTERNS, S_ROLLING_AVG, S_ROLLING_STDDEV } from "./abi";

export { STAGE_WIDTH, STAGE_EVENTS, STAGE_WINDOWS };
import { ZScore, ZSCORE_OFF } from "./zscore";
import { Holt } from "./holt";
import { Thresholds } from "./thresholds";
import { Detector } from "./detector";
import { Writer, Reader } from "./serial";
import { KeyedBlocks } from "./keyed";

/** Byte offset of `score` (the default anomaly score) in an output record. */
export const STAGE_SCORE_AT: usize = <usize>S_SCORE << 3;

export class Stage {
  zscore: ZScore = new ZScore();
  holt: Holt = new Holt();
  thresholds: Thresholds = new Thresholds();
  detector: Detector = new Detector();
  /** Which field of a window record the windows stage reads (output.ts layout). */
  windowField: i32 = 5;
  out: RecordBuffer = new RecordBuffer(STAGE_WIDTH);

  /** True when any kernel of the stage is on. */
  get enabled(): bool {
    return this.zscore.mode != ZSCORE_OFF || this.holt.enabled || this.thresholds.count > 0 || this.detector.enabled;
  }

  /** Frees all per-key blocks (before the stage is dropped). */
  free(): void {
    this.zscore.blocks.reset();
    this.holt.blocks.reset();
    this.detector.free();
    this.out.clear();
  }

  /** Empties all kernel state, keeping the configuration. */
  resetState(): void {
    this.zscore.configure(this.zscore.mode, this.zscore.cap, this.zscore.timeMs, this.zscore.threshold);
    this.holt.configure(this.holt.enabled, this.holt.alpha, this.holt.beta, this.holt.gamma, this.holt.horizon, this.holt.slots, this.holt.seasonMs);
    this.detector.resetState();
  }

  /** Runs every enabled kernel on row (k, ts, x) and appends its output record. */
  step(k: i32, ts: f64, x: f64): void {
    const rec = this.out.next();
    let z: f64 = NaN;
    let anomaly: f64 = NaN;
    let mean: f64 = NaN;
    let sd: f64 = NaN;
    if (this.zscore.mode != ZSCORE_OFF) {
      this.zscore.step(k, ts, x);
      z = this.zscore.z;
      anomaly = this.zscore.anomaly ? 1 : 0;
      mean = this.zscore.mean;
      sd = this.zscore.stddev;
    }
    store<f64>(rec, z, <usize>S_ZSCORE << 3);
    store<f64>(rec, anomaly, <usize>S_IS_ANOMALY << 3);
    store<f64>(rec, mean, <usize>S_ROLLING_AVG << 3);
    store<f64>(rec, sd, <usize>S_ROLLING_STDDEV << 3);
    if (this.holt.enabled) {
      this.holt.step(k, ts, x);
      store<f64>(rec, this.holt.level, <usize>S_LEVEL << 3);
      store<f64>(rec, this.holt.trend, <usize>S_TREND << 3);
      store<f64>(rec, this.holt.forecast, <usize>S_FORECAST << 3);
      store<f64>(rec, this.holt.forecastH, <usize>S_FORECAST_H << 3);
    } else {
      store<f64>(rec, NaN, <usize>S_LEVEL << 3);
      store<f64>(rec, NaN, <usize>S_TREND << 3);
      store<f64>(rec, NaN, <usize>S_FORECAST << 3);
      store<f64>(rec, NaN, <usize>S_FORECAST_H << 3);
    }
    store<f64>(rec, this.detector.enabled ? this.detector.step(k, ts, x) : NaN, STAGE_SCORE_AT);
    store<f64>(rec, <f64>this.thresholds.mask(x), <usize>S_PATTERNS << 3);
  }

  /** Appends an all-NaN record (an input row the core rejected). */
  skip(): void {
    const rec = this.out.next();
    for (let f = 0; f < STAGE_WIDTH; f++) store<f64>(rec + (<usize>f << 3), NaN);
  }

  /** Writes the configuration of every kernel (per-key state travels in key records, keyRecords.ts). */
  saveConfig(w: Writer): void {
    w.i32(this.windowField);
    this.zscore.saveConfig(w);
    this.holt.saveConfig(w);
    this.thresholds.save(w);
    this.detector.saveConfig(w);
  }

  /** Upper bound of saveConfig()'s bytes. */
  configBound(): f64 {
    return 8 + 24 + 48 + 16 * 17 + 4;
  }

  /** Reads what saveConfig() wrote, configuring every kernel with no keys. */
  loadConfig(r: Reader): bool {
    const field = r.i32();
    if (!r.ok || field < 1 || field > 8) return false;
    this.windowField = field;
    return this.zscore.loadConfig(r) && this.holt.loadConfig(r) && this.thresholds.load(r) && this.detector.loadConfig(r);
  }

  /** The kernels' per-key stores, in key-record order (z-score, Holt, detector). */
  keyStore(part: i32): KeyedBlocks {
    return part == 0 ? this.zscore.blocks : part == 1 ? this.holt.blocks : this.detector.blocks;
  }

  /** Checks a block just loaded into part `part` for key `k` (the z-score's ring indices must lie inside it). */
  validKeyBlock(part: i32, b: usize): bool {
    return part != 0 || this.zscore.validBlock(b);
  }

  /** Highest key id with a block in any kernel + 1. */
  keyCount(): i32 {
    let n = this.zscore.blocks.count;
    if (this.holt.blocks.count > n) n = this.holt.blocks.count;
    if (this.detector.blocks.count > n) n = this.detector.blocks.count;
    return n;
  }
}

/** Kernels with per-key blocks in a stage (the parts of a key record each stage contributes). */
export const STAGE_KEY_PARTS: i32 = 3;

/** The two stages (events, windows). */
export const stages: StaticArray<Stage> = [new Stage(), new Stage()];

/** Writes both stages' configuration. */
export function stagesSaveConfig(w: Writer): void {
  stages[0].saveConfig(w);
  stages[1].saveConfig(w);
}

/** Upper bound of stagesSaveConfig()'s bytes. */
export function stagesConfigBound(): f64 {
  return stages[0].configBound() + stages[1].configBound();
}

/** The stage a restore is reading into (pending until stagesCommit), or the live one. */
export function loadingStage(s: i32): Stage {
  const pending = s == 0 ? pendingEvents : pendingWindows;
  return pending === null ? stages[s] : pending!;
}

/** Stages read by stagesLoadConfig (and their keys), waiting for the rest of the snapshot to read cleanly. */
let pendingEvents: Stage | null = null;
let pendingWindows: Stage | null = null;

/**
 * Reads both stages into fresh objects, kept pending: stagesCommit() swaps
 * them in once the whole snapshot read cleanly, stagesDiscard() drops them,
 * so a failed restore leaves the stages' configuration as it was.
 */
export function stagesLoadConfig(r: Reader): bool {
  const events = new Stage();
  const windows = new Stage();
  pendingEvents = events;
  pendingWindows = windows;
  return events.loadConfig(r) && windows.loadConfig(r);
}

/** Swaps the pending stages in, freeing the old ones. */
export function stagesCommit(): void {
  if (pendingEvents === null || pendingWindows === null) return;
  stages[0].free();
  stages[1].free();
  stages[0] = pendingEvents!;
  stages[1] = pendingWindows!;
  pendingEvents = null;
  pendingWindows = null;
}

/** Drops pending stages and empties the current stages' state (a failed restore leaves an empty core). */
export function stagesDiscard(): void {
  if (pendingEvents !== null) pendingEvents!.free();
  if (pendingWindows !== null) pendingWindows!.free();
  pendingEvents = null;
  pendingWindows = null;
  stages[0].resetState();
  stages[1].resetState();
}
