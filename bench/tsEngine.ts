/**
 * The idiomatic TypeScript engine the benchmark compares against: what a
 * good TypeScript developer writes without wasm — a Map of per-key objects
 * holding one Welford accumulator per open window, and a timer queue of
 * window ends (as Flink's timer service) to close windows as the watermark
 * passes them. Same semantics as the core (append mode, per-event
 * watermark, late events), same outputs.
 */

/** One event as the sources parse it. */
export interface BenchEvent {
  timestamp: number;
  metric: string;
  value: number;
}

/** A closed window. */
export interface TsWindow {
  key: string;
  start: number;
  end: number;
  count: number;
  sum: number;
  avg: number;
  stddev: number;
  min: number;
  max: number;
}

interface Accumulator {
  count: number;
  mean: number;
  m2: number;
  sum: number;
  min: number;
  max: number;
}

export class TsWindowEngine {
  private readonly keys = new Map<string, Map<number, Accumulator>>();
  /** window end → keys with an accumulator for the window ending there */
  private readonly timers = new Map<number, Set<string>>();
  private readonly pendingEnds: number[] = [];
  private maxTs = -Infinity;
  late = 0;

  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly delay: number,
  ) {}

  /** Processes a batch of events, returning windows closed by it. */
  process(events: BenchEvent[]): TsWindow[] {
    const out: TsWindow[] = [];
    for (const e of events) {
      if (e.timestamp > this.maxTs) {
        this.maxTs = e.timestamp;
        this.closeUpTo(this.maxTs - this.delay, out);
      }
      const closeWm = this.maxTs - this.delay;
      let state = this.keys.get(e.metric);
      if (!state) {
        state = new Map();
        this.keys.set(e.metric, state);
      }
      let accepted = false;
      const lastStart = Math.floor(e.timestamp / this.slide) * this.slide;
      for (let start = lastStart; start > e.timestamp - this.size; start -= this.slide) {
        const end = start + this.size;
        if (end <= closeWm) break;
        accepted = true;
        let acc = state.get(start);
        if (!acc) {
          acc = { count: 0, mean: 0, m2: 0, sum: 0, min: Infinity, max: -Infinity };
          state.set(start, acc);
          this.schedule(end, e.metric);
        }
        acc.count++;
        const delta = e.value - acc.mean;
        acc.mean += delta / acc.count;
        acc.m2 += delta * (e.value - acc.mean);
        acc.sum += e.value;
        if (e.value < acc.min) acc.min = e.value;
        if (e.value > acc.max) acc.max = e.value;
      }
      if (!accepted) this.late++;
    }
    return out;
  }

  /** End of input: closes everything. */
  flush(): TsWindow[] {
    const out: TsWindow[] = [];
    this.closeUpTo(Infinity, out);
    return out;
  }

  private schedule(end: number, key: string): void {
    let set = this.timers.get(end);
    if (!set) {
      set = new Set();
      this.timers.set(end, set);
      // keep ends sorted; new ends are almost always the largest
      let i = this.pendingEnds.length;
      while (i > 0 && this.pendingEnds[i - 1]! > end) i--;
      this.pendingEnds.splice(i, 0, end);
    }
    set.add(key);
  }

  private closeUpTo(wm: number, out: TsWindow[]): void {
    while (this.pendingEnds.length > 0 && this.pendingEnds[0]! <= wm) {
      const end = this.pendingEnds.shift()!;
      const start = end - this.size;
      for (const key of this.timers.get(end)!) {
        const state = this.keys.get(key)!;
        const acc = state.get(start)!;
        state.delete(start);
        out.push({
          key,
          start,
          end,
          count: acc.count,
          sum: acc.sum,
          avg: acc.mean,
          stddev: acc.count > 1 ? Math.sqrt(acc.m2 / (acc.count - 1)) : NaN,
          min: acc.min,
          max: acc.max,
        });
      }
      this.timers.delete(end);
    }
  }
}
