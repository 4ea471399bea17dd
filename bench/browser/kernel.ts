/**
 * The timed kernel of `npm run bench:browser`, run unchanged in Node and in
 * Chromium: the page loads this file's build (dist/bench/browser/kernel.js)
 * as an ES module, so it must import nothing at run time (type-only imports
 * are erased) and use nothing Node-only.
 *
 * Same kernel as bench/core.bench.ts: one core configured for windows of
 * 5 min sliding by 1 min with a 10 min watermark delay; each batch's columns
 * are copied into wasm memory outside the timed region, and only
 * `batch_process` is timed (performance.now() around `core.process`). One
 * endless stream per core: after the last prepared batch the workload
 * repeats, shifted forward in event time, so windows keep closing and state
 * stays warm.
 */

/** What the kernel needs of a WasmCore (structural, so this file imports nothing). */
export interface KernelCore {
  configure(s: { sizeMs: number; slideMs: number; delayMs: number; latenessMs: number; mode: 'append' | 'update' }): void;
  reserve(rows: number): { ts: Float64Array; key: Int32Array; value: Float64Array };
  process(n: number): number;
  flush(): number;
  windowRecords(): { data: Float64Array; offset: number; count: number; width: number };
}

/** The workload as columns: `batches × batch` rows, key ids 0 … keys − 1. */
export interface KernelData {
  ts: Float64Array;
  key: Int32Array;
  value: Float64Array;
}

export interface KernelSettings {
  batch: number;
  keys: number;
  sizeMs: number;
  slideMs: number;
  delayMs: number;
  /** Window-record fields summed into the checksum (exports.ts W_COUNT, W_SUM, W_KEY). */
  fields: { count: number; sum: number; key: number };
}

/** What a timing run measured. */
export interface KernelTiming {
  batches: number;
  events: number;
  /** Sum of the timed `process` calls, ms. */
  timedMs: number;
  /** Each timed call, ms. */
  batchMs: number[];
  /** Window records emitted during the timed calls. */
  windows: number;
}

/** Drives one core over an endless repetition of the workload. */
export class KernelRunner {
  private next = 0;
  private readonly batches: number;
  private readonly lapMs: number;

  constructor(
    private readonly core: KernelCore,
    private readonly data: KernelData,
    private readonly s: KernelSettings,
  ) {
    this.batches = Math.floor(data.ts.length / s.batch);
    if (this.batches < 1) throw new RangeError(`workload of ${data.ts.length} rows is shorter than one batch of ${s.batch}`);
    // One event per key per second, so a lap spans rows / keys seconds of event time.
    this.lapMs = Math.ceil((this.batches * s.batch) / s.keys) * 1000;
    core.configure({ sizeMs: s.sizeMs, slideMs: s.slideMs, delayMs: s.delayMs, latenessMs: 0, mode: 'append' });
  }

  /** Copies the next batch (shifted by whole laps) into the core's input columns: not timed. */
  private fill(): void {
    const { batch } = this.s;
    const b = this.next % this.batches;
    const shift = Math.floor(this.next / this.batches) * this.lapMs;
    this.next++;
    const from = b * batch;
    const cols = this.core.reserve(batch);
    const ts = this.data.ts;
    if (shift === 0) cols.ts.set(ts.subarray(from, from + batch));
    else for (let i = 0; i < batch; i++) cols.ts[i] = ts[from + i]! + shift;
    cols.key.set(this.data.key.subarray(from, from + batch));
    cols.value.set(this.data.value.subarray(from, from + batch));
  }

  /** Processes batches for at least `ms` of timed work (and at least `minBatches`), timing each `process` call. */
  run(ms: number, minBatches = 1): KernelTiming {
    const { batch } = this.s;
    const batchMs: number[] = [];
    let timedMs = 0,
      windows = 0;
    while (timedMs < ms || batchMs.length < minBatches) {
      this.fill();
      const t0 = performance.now();
      windows += this.core.process(batch);
      const dt = performance.now() - t0;
      batchMs.push(dt);
      timedMs += dt;
    }
    return { batches: batchMs.length, events: batchMs.length * batch, timedMs, batchMs, windows };
  }
}

/**
 * One pass over the workload on a fresh core, then a flush: windows emitted,
 * the sum of their counts, and a checksum of sums and keys, to check that
 * every engine computed the same windows before anything is timed.
 */
export function checkRun(core: KernelCore, data: KernelData, s: KernelSettings): { windows: number; counted: number; checksum: number } {
  core.configure({ sizeMs: s.sizeMs, slideMs: s.slideMs, delayMs: s.delayMs, latenessMs: 0, mode: 'append' });
  let windows = 0,
    counted = 0,
    checksum = 0;
  const take = (n: number): void => {
    const r = core.windowRecords();
    for (let i = 0; i < n; i++) {
      const at = r.offset + i * r.width;
      counted += r.data[at + s.fields.count]!;
      checksum += r.data[at + s.fields.sum]! + r.data[at + s.fields.key]!;
    }
    windows += n;
  };
  const batches = Math.floor(data.ts.length / s.batch);
  for (let b = 0; b < batches; b++) {
    const from = b * s.batch;
    const cols = core.reserve(s.batch);
    cols.ts.set(data.ts.subarray(from, from + s.batch));
    cols.key.set(data.key.subarray(from, from + s.batch));
    cols.value.set(data.value.subarray(from, from + s.batch));
    take(core.process(s.batch));
  }
  take(core.flush());
  return { windows, counted, checksum };
}

/** Median of a list of numbers (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
