/**
 * The synchronous heart of a query: one wasm core plus the host state that
 * goes with it (interned keys), turning source batches into output records.
 * StreamingQuery drives it asynchronously; tests and checkpoints use it
 * directly. No Node-only imports.
 *
 * Lifecycle hooks, each testable alone: create (configure) or restore →
 * processBatch* → flush → snapshot.
 */
import type { WasmCore } from '../core/wasmCore.js';
import type { SourceBatch } from '../sources/source.js';
import type { ResultRecord } from '../sinks/sink.js';
import type { InputError } from './inputError.js';
import { KeyInterner } from './interner.js';
import { RowEncoder } from './encoder.js';
import { RecordBuilder } from './records.js';
import type { QueryPlan } from './plan.js';

/** What one batch produced. */
export interface BatchResult {
  /** Window results (closed windows in append mode, changed ones in update mode). */
  windows: ResultRecord[];
  /** Late events, as records (empty unless `withLateRecords`). */
  late: ResultRecord[];
  /** Number of late events (also when their records were not built). */
  lateCount: number;
  /** Rejected rows. */
  errors: InputError[];
  /** Rows written into the core. */
  encodedRows: number;
  /** ms spent validating and filling columns, in the core call, and building records. */
  timings: { encode: number; process: number; build: number };
}

const MAGIC = 0x51444445; // "EDDQ" little-endian
const VERSION = 1;

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The window settings of a plan, as the fingerprint a snapshot must match. */
function fingerprint(plan: QueryPlan): string {
  return JSON.stringify([plan.timeColumn, plan.valueColumn ?? null, plan.keyColumns, plan.sizeMs, plan.slideMs, plan.delayMs, plan.latenessMs, plan.outputMode]);
}

export class WindowEngine {
  private readonly keys = new KeyInterner();
  private readonly encoder: RowEncoder;
  private readonly builder: RecordBuilder;

  /**
   * @param withLateRecords build records for late events (when a late sink exists); they are counted either way
   */
  constructor(readonly plan: QueryPlan, readonly core: WasmCore, sourceName: string, private readonly withLateRecords: boolean) {
    core.configure({ sizeMs: plan.sizeMs, slideMs: plan.slideMs, delayMs: plan.delayMs, latenessMs: plan.latenessMs, mode: plan.outputMode });
    this.encoder = new RowEncoder(plan, this.keys, sourceName);
    this.builder = new RecordBuilder(plan, this.keys);
  }

  /** Distinct keys seen. */
  get numKeys(): number {
    return this.keys.size;
  }

  /** Validates and encodes a batch, processes it in one core call, returns its outputs. */
  processBatch(batch: SourceBatch): BatchResult {
    const t0 = clock();
    const cols = this.core.reserve(Math.max(batch.rows.length, 1));
    const encoded = this.encoder.encode(batch, cols);
    const t1 = clock();
    this.core.process(encoded.count);
    const t2 = clock();
    const windows = this.builder.windows(this.core.windowRecords());
    const lateView = this.core.lateRecords();
    const late = this.withLateRecords && lateView.count > 0 ? this.builder.late(lateView) : [];
    const t3 = clock();
    return {
      windows, late, lateCount: lateView.count, errors: encoded.errors, encodedRows: encoded.count,
      timings: { encode: t1 - t0, process: t2 - t1, build: t3 - t2 },
    };
  }

  /** End of input: emits every open window. Later events are late. */
  flush(): ResultRecord[] {
    this.core.flush();
    return this.builder.windows(this.core.windowRecords());
  }

  /** Late events counted for a key, given its grouping values (0 for an unknown key). */
  lateCountOf(...keyValues: (string | number | boolean)[]): number {
    const id = this.keys.lookup(keyValues);
    return id === undefined ? 0 : this.core.exports.stats_key_late(id);
  }

  /**
   * All state as bytes: the core's snapshot plus the interned keys and the
   * plan's fingerprint. Layout: magic u32 · version u32 · header length u32 ·
   * header (UTF-8 JSON: fingerprint, keys) · core snapshot.
   */
  snapshot(): Uint8Array {
    const core = this.core.snapshot();
    const header = new TextEncoder().encode(JSON.stringify({ plan: fingerprint(this.plan), keys: this.keys.export() }));
    const out = new Uint8Array(12 + header.length + core.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, header.length, true);
    out.set(header, 12);
    out.set(core, 12 + header.length);
    return out;
  }

  /** Replaces all state with a snapshot taken by an engine with the same plan; throws a clear Error otherwise. */
  restore(bytes: Uint8Array): void {
    if (bytes.length < 12) throw new Error('snapshot is truncated');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new Error('not an eddy query snapshot');
    if (view.getUint32(4, true) !== VERSION) throw new Error(`snapshot version ${view.getUint32(4, true)} is not supported (expected ${VERSION})`);
    const headerLength = view.getUint32(8, true);
    if (12 + headerLength > bytes.length) throw new Error('snapshot is truncated');
    let header: { plan: string; keys: unknown[][] };
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as typeof header;
    } catch {
      throw new Error('snapshot header is corrupt');
    }
    if (header.plan !== fingerprint(this.plan)) {
      throw new Error(`snapshot was taken with different window settings or columns (${header.plan}) than this query (${fingerprint(this.plan)})`);
    }
    this.core.restore(bytes.subarray(12 + headerLength));
    this.keys.import(header.keys);
  }
}
