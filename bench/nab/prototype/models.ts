/** Scratch forecasters for the lab. */
export interface Forecaster {
  /** forecast for the row at time t (NaN if none yet) */
  forecast(t: number): number;
  update(t: number, x: number): void;
}
export class RandomWalk implements Forecaster {
  private last = NaN;
  forecast(): number { return this.last; }
  update(_t: number, x: number): void { this.last = x; }
}
export class Ewma implements Forecaster {
  private l = NaN;
  constructor(private a: number) {}
  forecast(): number { return this.l; }
  update(_t: number, x: number): void { this.l = Number.isNaN(this.l) ? x : this.l + this.a * (x - this.l); }
}
/** Holt-Winters additive with time-of-season buckets, as assembly/holt.ts (first visit of a slot initialises it). */
export class HoltWinters implements Forecaster {
  private n = 0;
  private level = 0;
  private trend = 0;
  private s: Float64Array;
  private seen: Uint8Array;
  constructor(private a: number, private b: number, private g: number, private seasonMs: number, private slots: number) {
    this.s = new Float64Array(slots);
    this.seen = new Uint8Array(slots);
  }
  private slot(t: number): number {
    if (this.slots === 0) return 0;
    let ph = t % this.seasonMs;
    if (ph < 0) ph += this.seasonMs;
    return Math.min(this.slots - 1, Math.floor((ph / this.seasonMs) * this.slots));
  }
  forecast(t: number): number {
    if (this.n === 0) return NaN;
    const k = this.slot(t);
    return this.level + this.trend + (this.slots && this.seen[k] ? (this.s[k] as number) : 0);
  }
  /** whether the seasonal slot for t has been seen */
  known(t: number): boolean { return this.slots === 0 || this.seen[this.slot(t)] === 1; }
  update(t: number, x: number): void {
    const k = this.slot(t);
    const sk = this.slots && this.seen[k] ? (this.s[k] as number) : 0;
    if (this.n === 0) { this.level = x; this.trend = 0; }
    else {
      const prev = this.level;
      this.level = this.a * (x - sk) + (1 - this.a) * (this.level + this.trend);
      this.trend = this.n >= 2 ? this.b * (this.level - prev) + (1 - this.b) * this.trend : 0;
    }
    if (this.slots) {
      if (this.seen[k]) this.s[k] = this.g * (x - this.level) + (1 - this.g) * sk;
      else { this.s[k] = x - this.level; this.seen[k] = 1; }
    }
    this.n++;
  }
}
/** Seasonal naive: value at the same time-of-season bucket one season ago (stale after 1.5 seasons). */
export class SeasonalNaive implements Forecaster {
  private v: Float64Array;
  private at: Float64Array;
  constructor(private seasonMs: number, private slots: number) {
    this.v = new Float64Array(slots).fill(NaN);
    this.at = new Float64Array(slots).fill(-Infinity);
  }
  private slot(t: number): number {
    let ph = t % this.seasonMs;
    if (ph < 0) ph += this.seasonMs;
    return Math.min(this.slots - 1, Math.floor((ph / this.seasonMs) * this.slots));
  }
  forecast(t: number): number {
    const k = this.slot(t);
    const age = t - (this.at[k] as number);
    return age > this.seasonMs * 0.5 && age < this.seasonMs * 1.5 ? (this.v[k] as number) : NaN;
  }
  update(t: number, x: number): void {
    const k = this.slot(t);
    this.v[k] = x;
    this.at[k] = t;
  }
}
