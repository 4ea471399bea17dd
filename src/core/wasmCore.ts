/**
 * A loaded wasm core with typed views over its memory.
 *
 * No Node-only imports: this file runs unchanged in Node, browsers, Web
 * Workers and edge runtimes. It takes the wasm as bytes or a compiled module;
 * how the bytes are found (fs, fetch) is the caller's business.
 */
import { CORE_ABI_VERSION, CORE_FUNCTIONS, SNAPSHOT_CHANGES, SNAPSHOT_FULL, type CoreExports } from './exports.js';
import { checkStatus, checkValue } from './status.js';
import { CoreScanner, type ScanFields } from './coreScanner.js';

/** Output mode codes of `window_configure`. */
export const MODE_APPEND = 0;
export const MODE_UPDATE = 1;

/** Window settings in milliseconds. */
export interface WindowSettings {
  sizeMs: number;
  slideMs: number;
  delayMs: number;
  latenessMs: number;
  mode: 'append' | 'update';
}

/** What an analytics stage computes per row (all optional; absent = off). */
export interface StageSettings {
  /** Rolling z-score over the last `rows` rows, or the last `timeMs` of event time (at most `rows` rows). */
  zscore?: { mode: 'rows' | 'time'; rows: number; timeMs?: number; threshold: number };
  /** Holt / Holt-Winters: seasonal `slots` (0 = none), as rows or as buckets of a `seasonMs` season. */
  holt?: { alpha: number; beta: number; gamma: number; horizon: number; slots: number; seasonMs: number };
  /** Threshold patterns in order; bit 2i = value > upper, bit 2i+1 = value < lower. */
  thresholds?: { upper?: number; lower?: number }[];
  /** The default anomaly score. */
  detector?: boolean;
  /** Windows stage only: the window-record field it reads (exports.ts W_*). */
  windowField?: number;
}

/** Columns of one batch, views into wasm memory (valid until the next core call). */
export interface InputColumns {
  ts: Float64Array;
  key: Int32Array;
  value: Float64Array;
  /** Interned event type (-1 = none), for sequence patterns. */
  type: Int32Array;
}

/** One sequence pattern as the core takes it: steps as interned event-type ids. */
export interface PatternSpec {
  /** For error messages. */
  name: string;
  withinMs: number;
  steps: readonly { typeId: number; strict: boolean }[];
}

/** Thrown when the core aborts (an AssemblyScript runtime error, e.g. memory exhausted). */
export class CoreAbort extends Error {}

/**
 * One instance of the core. All methods are synchronous: a batch is one call.
 */
export class WasmCore {
  private readonly ex: CoreExports;
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private f64: Float64Array;

  private constructor(instance: WebAssembly.Instance) {
    const ex = instance.exports as unknown as CoreExports;
    for (const name of CORE_FUNCTIONS) {
      if (typeof ex[name] !== 'function') throw new Error(`wasm core is missing export ${name}: rebuild it (npm run build:wasm)`);
    }
    const abi = ex.core_abi_version();
    if (abi !== CORE_ABI_VERSION) throw new Error(`wasm core ABI ${abi} does not match host ABI ${CORE_ABI_VERSION}: rebuild`);
    this.ex = ex;
    this.buffer = ex.memory.buffer;
    this.f64 = new Float64Array(this.buffer);
  }

  /** Instantiates a core from wasm bytes or a compiled module. */
  static async create(wasm: BufferSource | WebAssembly.Module): Promise<WasmCore> {
    const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
    return WasmCore.fromModule(module);
  }

  /** Instantiates a core synchronously from a compiled module. */
  static fromModule(module: WebAssembly.Module): WasmCore {
    let self: WasmCore | undefined;
    const imports = {
      env: {
        abort(msg: number, file: number, line: number, col: number): never {
          const text = self ? `${self.readString(msg)} at ${self.readString(file)}:${line}:${col}` : 'abort during start';
          throw new CoreAbort(`wasm core aborted: ${text}`);
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    self = new WasmCore(instance);
    return self;
  }

  /** The raw exports, for benchmarks and tests that drive the core directly. */
  get exports(): CoreExports {
    return this.ex;
  }

  /** Configures windows and empties all state; throws with a readable message on bad settings. */
  configure(s: WindowSettings): void {
    // An unknown mode goes to the core as an invalid code, so it is rejected rather than read as append.
    const mode = s.mode === 'update' ? MODE_UPDATE : s.mode === 'append' ? MODE_APPEND : -1;
    checkStatus(this.ex.window_configure(s.sizeMs, s.slideMs, s.delayMs, s.latenessMs, mode));
  }

  /** Turns the window kernel on or off (events-only queries switch it off). */
  enableWindows(on: boolean): void {
    this.ex.window_enable(on ? 1 : 0);
  }

  /** Configures an analytics stage (0 events, 1 window results) and empties its state. */
  configureStage(stage: number, s: StageSettings): void {
    const ex = this.ex;
    const z = s.zscore;
    checkStatus(ex.stage_zscore(stage, z ? (z.mode === 'time' ? 2 : 1) : 0, z?.rows ?? 0, z?.timeMs ?? 0, z?.threshold ?? 2), {
      detail: ` (got ${JSON.stringify(z)})`,
    });
    const h = s.holt;
    checkStatus(ex.stage_holt(stage, h ? 1 : 0, h?.alpha ?? 0.3, h?.beta ?? 0.3, h?.gamma ?? 0.1, h?.horizon ?? 10, h?.slots ?? 0, h?.seasonMs ?? 0), {
      detail: ` (got ${JSON.stringify(h)})`,
    });
    ex.stage_thresholds_clear(stage);
    const bounds = s.thresholds ?? [];
    bounds.forEach((b, i) => {
      checkStatus(ex.stage_threshold(stage, i, b.upper ?? NaN, b.lower ?? NaN), { detail: `, got ${bounds.length}` });
    });
    checkStatus(ex.stage_detector(stage, s.detector ? 1 : 0));
    // the field is the window-results stage's (STAGE_WINDOWS) whichever stage is being configured
    if (s.windowField !== undefined) checkStatus(ex.stage_window_field(s.windowField), { detail: ` (got field ${s.windowField})` });
  }

  /** A stage's output records of the last call, laid out like windowRecords(). */
  stageRecords(stage: number): { data: Float64Array; offset: number; count: number; width: number } {
    return { data: this.f64, offset: this.ex.out_stage_ptr(stage) >>> 3, count: this.ex.out_stage_count(stage), width: this.ex.out_stage_width() };
  }

  /** Makes the input columns hold `rows` rows and returns views over them. */
  reserve(rows: number): InputColumns {
    const cap = checkValue(this.ex.input_reserve(rows), { detail: ` (a batch of ${rows} rows)` });
    this.refresh();
    return {
      ts: new Float64Array(this.buffer, this.ex.input_ts_ptr(), cap),
      key: new Int32Array(this.buffer, this.ex.input_key_ptr(), cap),
      value: new Float64Array(this.buffer, this.ex.input_value_ptr(), cap),
      type: new Int32Array(this.buffer, this.ex.input_type_ptr(), cap),
    };
  }

  /** Views over the first `n` rows of the input columns as the host last wrote them (fresh views: valid after memory growth). */
  inputViews(n: number): InputColumns {
    this.refresh();
    return {
      ts: new Float64Array(this.buffer, this.ex.input_ts_ptr(), n),
      key: new Int32Array(this.buffer, this.ex.input_key_ptr(), n),
      value: new Float64Array(this.buffer, this.ex.input_value_ptr(), n),
      type: new Int32Array(this.buffer, this.ex.input_type_ptr(), n),
    };
  }

  /** Processes the first `n` rows of the input columns; returns the number of window records output. */
  process(n: number): number {
    const count = this.ex.batch_process(n);
    this.refresh();
    return count;
  }

  /** End of input: emits every open window; returns the number of window records output. */
  flush(): number {
    const count = this.ex.batch_flush();
    this.refresh();
    return count;
  }

  /** Window records of the last call: `count` records of `width` f64 each, starting at `offset` in `data`. */
  windowRecords(): { data: Float64Array; offset: number; count: number; width: number } {
    return { data: this.f64, offset: this.ex.out_windows_ptr() >>> 3, count: this.ex.out_windows_count(), width: this.ex.out_windows_width() };
  }

  /** Late-event records of the last call, laid out like windowRecords(). */
  lateRecords(): { data: Float64Array; offset: number; count: number; width: number } {
    return { data: this.f64, offset: this.ex.out_late_ptr() >>> 3, count: this.ex.out_late_count(), width: this.ex.out_late_width() };
  }

  /** Sequence matches of the last call, laid out like windowRecords(), and the column of their events' times. */
  matchRecords(): { data: Float64Array; offset: number; count: number; width: number; times: number; timesCount: number } {
    return {
      data: this.f64,
      offset: this.ex.out_matches_ptr() >>> 3,
      count: this.ex.out_matches_count(),
      width: this.ex.out_matches_width(),
      times: this.ex.out_match_ts_ptr() >>> 3,
      timesCount: this.ex.out_match_ts_count(),
    };
  }

  /**
   * Serialises the state into a fresh byte array (a copy; the core's block
   * is freed): all of it, or with `changesOnly` the keys changed since the
   * previous snapshot (change tracking must be on: trackChanges). Either way
   * the set of changed keys starts over. A snapshot of changes is restored
   * by merging it into its base first (mergeSnapshots).
   */
  snapshot(changesOnly = false): Uint8Array {
    const length = this.ex.snapshot_take(changesOnly ? SNAPSHOT_CHANGES : SNAPSHOT_FULL);
    this.refresh();
    // addresses past 2 GiB come back as negative i32: read them unsigned
    const bytes = new Uint8Array(this.buffer, this.ex.snapshot_ptr() >>> 0, length).slice();
    this.ex.snapshot_release();
    return bytes;
  }

  /** Replaces all state with a snapshot; throws if the bytes are not a valid snapshot. */
  restore(bytes: Uint8Array): void {
    const at = this.ex.restore_reserve(bytes.length) >>> 0;
    this.refresh();
    new Uint8Array(this.buffer, at, bytes.length).set(bytes);
    const code = this.ex.restore_commit();
    this.refresh();
    checkStatus(code);
  }

  /** Turns tracking of changed keys on or off (for snapshots of changes); the set starts empty. */
  trackChanges(on: boolean): void {
    this.ex.changes_track(on ? 1 : 0);
  }

  /** Keys changed since the last snapshot (0 unless tracking). */
  changedKeys(): number {
    return this.ex.changes_count();
  }

  /** Current watermark in epoch ms (null before the first event). */
  watermark(): number | null {
    const wm = this.ex.stats_watermark();
    return wm === -Infinity ? null : wm;
  }

  /** Keys with open windows or retained state. */
  activeKeys(): number {
    return this.ex.stats_active_keys();
  }

  /** Bytes of keyed state the core holds (windows, stages, patterns). */
  stateBytes(): number {
    return this.ex.stats_state_bytes();
  }

  /** Late events the core counted for key id `key`. */
  keyLateCount(key: number): number {
    return this.ex.stats_key_late(key);
  }

  /**
   * Declares the sequence patterns (pattern index = position), each step an
   * interned event-type id; empties all pattern state. An empty list turns
   * the patterns off. Throws a RangeError naming the pattern and step the
   * core refused.
   */
  definePatterns(patterns: readonly PatternSpec[], maxPartials: number): void {
    const ex = this.ex;
    checkStatus(ex.patterns_define(patterns.length, maxPartials), { what: 'patterns' });
    patterns.forEach((p, i) => {
      checkStatus(ex.patterns_set(i, p.steps.length, p.withinMs), { what: `pattern '${p.name}'` });
      p.steps.forEach((step, s) => {
        checkStatus(ex.patterns_set_step(i, s, step.typeId, step.strict ? 1 : 0), { what: `pattern '${p.name}' step ${s + 1}` });
      });
    });
  }

  /** A byte scanner over this core for `fields`, with the pattern event types `types` (ids in order). */
  scanner(fields: ScanFields, types: readonly string[] = []): CoreScanner {
    return new CoreScanner(this.ex, fields, types);
  }

  /** Bytes of wasm linear memory. */
  memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }

  /** Recreates views when memory grew (memory.grow detaches the old buffer). */
  private refresh(): void {
    if (this.ex.memory.buffer !== this.buffer) {
      this.buffer = this.ex.memory.buffer;
      this.f64 = new Float64Array(this.buffer);
    }
  }

  private readString(ptr: number): string {
    if (!ptr) return '';
    const buf = this.ex.memory.buffer;
    const len = new Uint32Array(buf, ptr - 4, 1)[0]! >>> 1;
    return String.fromCharCode(...new Uint16Array(buf, ptr, len));
  }
}
