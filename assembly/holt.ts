/**
 * Holt's double exponential smoothing per key (level + trend), optionally
 * with Holt-Winters additive seasonality.
 *
 * Initialisation (as the seed): the first value is the level; the trend is 0
 * for the first two rows. From then on, for each value x:
 *
 *   level_t  = α (x − s) + (1 − α)(level_{t−1} + trend_{t−1})
 *   trend_t  = β (level_t − level_{t−1}) + (1 − β) trend_{t−1}          (rows ≥ 3)
 *   s        = γ (x − level_t) + (1 − γ) s                              (seasonal slot of x)
 *   forecast   = level + trend + s(next)           one step ahead
 *   forecast_h = level + h·trend + s(h steps ahead)
 *
 * s is 0 without seasonality. The season is a number of rows m (slot = row
 * index mod m) or a duration split into m time-of-season buckets (slot =
 * floor(((ts mod season) / season) · m)); a slot's first visit initialises it
 * to x − level, so the first season is plain Holt and seasonality is learnt
 * from there on. "h steps ahead" in time mode uses the key's last positive
 * time step.
 *
 * The forecast made for the current row before it arrived is kept too: the
 * detector scores its error.
 *
 * Per-key block (KeyedBlocks):
 *
 * ┌───────┬───────┬───────┬────────┬──────┬──────────┬──────────────────┬─────────────────────┐
 * │ n f64 │ level │ trend │ lastTs │ step │ expected │ seasonal: m f64  │ slot seen: m bits   │
 * └───────┴───────┴───────┴────────┴──────┴──────────┴──────────────────┴─────────────────────┘
 *   0       8       16      24       32     40         48
 */
import { KeyedBlocks } from "./keyed";
import { Writer, Reader } from "./serial";

const H_N: usize = 0;
const H_LEVEL: usize = 8;
const H_TREND: usize = 16;
const H_LAST_TS: usize = 24;
const H_STEP: usize = 32;
const H_EXPECTED: usize = 40;
const H_SEASON: usize = 48;

/** Holt / Holt-Winters state of one analytics stage. */
export class Holt {
  enabled: bool = false;
  alpha: f64 = 0.3;
  beta: f64 = 0.3;
  gamma: f64 = 0.1;
  horizon: i32 = 10;
  /** Seasonal slots (0 = no seasonality). */
  slots: i32 = 0;
  /** Season duration in ms for time-bucket seasonality; 0 = slots are rows. */
  seasonMs: f64 = 0;
  blocks: KeyedBlocks = new KeyedBlocks();
  private seenOffset: usize = H_SEASON;

  /** Outputs of the last step. */
  level: f64 = NaN;
  trend: f64 = NaN;
  forecast: f64 = NaN;
  forecastH: f64 = NaN;
  /** The one-step forecast that was made for this row (NaN for a key's first row). */
  expected: f64 = NaN;

  constructor() {
    this.configure(false, 0.3, 0.3, 0.1, 10, 0, 0);
  }

  /** Sets the parameters and empties the state. */
  configure(enabled: bool, alpha: f64, beta: f64, gamma: f64, horizon: i32, slots: i32, seasonMs: f64): void {
    this.enabled = enabled;
    this.alpha = alpha;
    this.beta = beta;
    this.gamma = gamma;
    this.horizon = horizon;
    this.slots = slots;
    this.seasonMs = seasonMs;
    this.seenOffset = H_SEASON + (<usize>slots << 3);
    this.blocks.configure(this.seenOffset + (<usize>((slots + 31) >> 5) << 2));
  }

  @inline private slotAt(n: f64, ts: f64): i32 {
    const m = this.slots;
    if (this.seasonMs > 0) {
      let phase = ts % this.seasonMs;
      if (phase < 0) phase += this.seasonMs;
      const slot = <i32>Math.floor((phase / this.seasonMs) * <f64>m);
      return slot >= m ? m - 1 : slot < 0 ? 0 : slot;
    }
    const slot = <i32>(n % <f64>m);
    return slot >= 0 && slot < m ? slot : 0; // a corrupt restored count cannot index outside the block
  }

  @inline private seen(b: usize, slot: i32): bool {
    return (load<u32>(b + this.seenOffset + (<usize>(slot >> 5) << 2)) & (1 << (slot & 31))) != 0;
  }

  @inline private seasonal(b: usize, slot: i32): f64 {
    return this.seen(b, slot) ? load<f64>(b + H_SEASON + (<usize>slot << 3)) : 0;
  }

  /** Folds value x at time ts into key k's smoothing; sets the outputs. */
  step(k: i32, ts: f64, x: f64): void {
    const b = this.blocks.block(k);
    const n = load<f64>(b, H_N);
    const seasonal = this.slots > 0;
    const slot = seasonal ? this.slotAt(n, ts) : 0;
    let level: f64;
    let trend: f64;
    if (n == 0) {
      level = x;
      trend = 0;
      this.expected = NaN;
    } else {
      this.expected = load<f64>(b, H_EXPECTED);
      const prevLevel = load<f64>(b, H_LEVEL);
      const prevTrend = load<f64>(b, H_TREND);
      const s = seasonal ? this.seasonal(b, slot) : 0;
      level = this.alpha * (x - s) + (1 - this.alpha) * (prevLevel + prevTrend);
      trend = n >= 2 ? this.beta * (level - prevLevel) + (1 - this.beta) * prevTrend : 0;
      // time step, for forecasting time slots ahead
      const dt = ts - load<f64>(b, H_LAST_TS);
      if (dt > 0) store<f64>(b, dt, H_STEP);
    }
    if (seasonal) {
      const at = b + H_SEASON + (<usize>slot << 3);
      if (this.seen(b, slot)) {
        store<f64>(at, this.gamma * (x - level) + (1 - this.gamma) * load<f64>(at));
      } else {
        store<f64>(at, x - level);
        const word = b + this.seenOffset + (<usize>(slot >> 5) << 2);
        store<u32>(word, load<u32>(word) | (1 << (slot & 31)));
      }
    }
    const count = n + 1;
    store<f64>(b, count, H_N);
    store<f64>(b, level, H_LEVEL);
    store<f64>(b, trend, H_TREND);
    store<f64>(b, ts, H_LAST_TS);
    let next: f64 = 0;
    let ahead: f64 = 0;
    if (seasonal) {
      const step = load<f64>(b, H_STEP);
      next = this.seasonal(b, this.slotAt(count, ts + step));
      ahead = this.seasonal(b, this.slotAt(count + <f64>(this.horizon - 1), ts + <f64>this.horizon * step));
    }
    const forecast = level + trend + next;
    store<f64>(b, forecast, H_EXPECTED);
    this.level = level;
    this.trend = trend;
    this.forecast = forecast;
    this.forecastH = level + <f64>this.horizon * trend + ahead;
  }

  /** Writes the configuration (the per-key blocks travel in key records, keyRecords.ts). */
  saveConfig(w: Writer): void {
    w.i32(this.enabled ? 1 : 0); w.f64(this.alpha); w.f64(this.beta); w.f64(this.gamma);
    w.i32(this.horizon); w.i32(this.slots); w.f64(this.seasonMs);
  }

  /** Reads what saveConfig() wrote and configures (slot indices are computed, never stored, so any block content is memory-safe). */
  loadConfig(r: Reader): bool {
    const enabled = r.i32(), alpha = r.f64(), beta = r.f64(), gamma = r.f64();
    const horizon = r.i32(), slots = r.i32(), seasonMs = r.f64();
    if (!r.ok || slots < 0 || slots > 1 << 20 || horizon < 1) return false;
    this.configure(enabled != 0, alpha, beta, gamma, horizon, slots, seasonMs);
    return true;
  }
}
