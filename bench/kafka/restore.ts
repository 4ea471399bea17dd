/**
 * Child process of `npm run bench:kafka`, step 4 (restore from a checkpoint
 * of 1 M keys), in two runs so the restore starts in a cold process:
 *
 *  - `build`: a BatchEngine with the eddy runs' plan (config.ts) gets events
 *    for K keys (default 1,000,000) as column batches, in rounds at minutes
 *    0, 1, 2, 3, 11, 12, 13 of event time: every key then holds open windows,
 *    three closed windows' worth of z-score and Holt history, and partial
 *    sequence matches. Its snapshot is written with CheckpointStore (the
 *    file's size and the write time, fsyncs included, are reported). Then
 *    1 % of the keys get one more event inside the open windows and an
 *    incremental checkpoint (the changed keys only) is written after the
 *    full one (its size and time reported: the issue's ≥ 50× target). Then
 *    one more round (minute 14) is processed and what it emits is summed.
 *  - `restore`: compiles the wasm module (process start-up, reported apart),
 *    then times a fresh BatchEngine + `latest()` + `restore()` (the full
 *    checkpoint and the changes after it). Checks,
 *    untimed: the same keys, all active, and the minute-14 round must emit
 *    exactly what it emitted in `build` (windows, Σ count, Σ avg·count,
 *    anomalies, Σ forecast, sequence matches).
 *
 * The restored engine is not snapshotted again here: a second snapshot of
 * ≥ 512 MiB can be corrupted by the wasm allocator (see snapshotRepro.ts).
 */
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { loadCore } from '../../src/node/loadCore.js';
import { CheckpointStore } from '../../src/checkpoint/checkpointStore.js';
import type { ColumnBatch } from '../../src/engine/columnBatch.js';
import { benchConfig } from './config.js';
import { childSpec } from './child.js';
import { T0, hash32 } from './workload.js';

export interface RestoreSpec {
  mode: 'build' | 'restore';
  keys: number;
  dir: string;
  /** With eddy's default anomaly score (as `anomaly_threshold` gives it), or z-score only. */
  detector: boolean;
  /** restore: what the next round emitted in build. */
  nextRound?: RoundSignature;
}

/** What one round emitted, summed. */
export interface RoundSignature {
  windows: number;
  memberships: number;
  weightedSum: number;
  anomalies: number;
  forecastSum: number;
  matches: number;
}

export interface BuildResult {
  keys: number;
  events: number;
  buildMs: number;
  windowsEmitted: number;
  snapshotMs: number;
  writeMs: number;
  checkpointBytes: number;
  /** Keys given an event between the full and the incremental checkpoint. */
  activeKeys: number;
  /** The incremental checkpoint's file size, and its snapshot + write time. */
  incrementalBytes: number;
  incrementalMs: number;
  stateBytes: number;
  wasmMemoryBytes: number;
  nextRound: RoundSignature;
}

export interface RestoreResult {
  keys: number;
  compileMs: number;
  engineMs: number;
  latestMs: number;
  restoreMs: number;
  totalMs: number;
  checkpointBytes: number;
  wasmMemoryBytes: number;
}

const SCOPE = 'bench-restore';
const BATCH = 65_536;
const ROUNDS_MIN = [0, 1, 2, 3, 11, 12, 13];
const NEXT_ROUND_MIN = 14;
const TYPES = ['ok', 'warn', 'error'];
/** Share of the keys active between the full and the incremental checkpoint. */
const ACTIVE_SHARE = 0.01;
const now = (): number => performance.now();
const spec = childSpec<RestoreSpec>();
// the plan only: the source is never connected
const plan = benchConfig({ broker: '127.0.0.1:9092', topic: 'unused', groupId: 'unused' }, spec.dir, spec.detector);
const names = Array.from({ length: spec.keys }, (_, k) => `key_${k}`);

/** One event per key at `minute` (plus a pseudo-random second), in column batches; returns what the engine emitted. */
function round(engine: BatchEngine, minute: number): RoundSignature & { events: number } {
  const s = { events: 0, windows: 0, memberships: 0, weightedSum: 0, anomalies: 0, forecastSum: 0, matches: 0 };
  for (let from = 0; from < spec.keys; from += BATCH) {
    const n = Math.min(BATCH, spec.keys - from);
    const ts = new Float64Array(n),
      value = new Float64Array(n),
      key = new Int32Array(n),
      type = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const h = hash32((from + i) * 31 + minute);
      ts[i] = T0 + minute * 60_000 + (h % 60_000);
      value[i] = 50 + (h % 2000) / 100;
      key[i] = i;
      type[i] = h % 10 < 7 ? 0 : h % 10 < 9 ? 1 : 2;
    }
    const batch: ColumnBatch = { rows: n, ts, value, key, keys: names.slice(from, from + n), type, types: TYPES };
    const r = engine.processBatch({ rows: [], errors: [], columns: [batch] });
    if (r.errors.length > 0) throw new Error(`${r.errors.length} rows rejected, e.g. ${r.errors[0]!.reason}`);
    s.events += r.encodedRows;
    s.windows += r.windows.length;
    s.matches += r.matches.length;
    for (const w of r.windows) {
      const count = w.count as number;
      s.memberships += count;
      s.weightedSum += (w.avg_value as number) * count;
      if (w.is_anomaly === true) s.anomalies++;
      if (typeof w.forecast === 'number') s.forecastSum += w.forecast;
    }
  }
  return s;
}

function checkKeys(engine: BatchEngine, what: string): void {
  if (engine.numKeys !== spec.keys || engine.core.exports.stats_active_keys() !== spec.keys) {
    throw new Error(`${what}: expected ${spec.keys} active keys, the engine has ${engine.numKeys} (${engine.core.exports.stats_active_keys()} active)`);
  }
}

async function build(): Promise<BuildResult> {
  const engine = new BatchEngine(plan, loadCore(), 'bench', false);
  const t0 = now();
  let events = 0,
    windows = 0;
  for (const minute of ROUNDS_MIN) {
    const r = round(engine, minute);
    events += r.events;
    windows += r.windows;
  }
  const buildMs = now() - t0;
  checkKeys(engine, 'build');
  if (windows !== 3 * spec.keys) throw new Error(`build: expected 3 closed windows per key, got ${windows} for ${spec.keys} keys`);
  const store = new CheckpointStore(spec.dir);
  engine.trackChanges();
  const t1 = now();
  const state = engine.snapshot();
  const t2 = now();
  const written = await store.write(SCOPE, { state, meta: { keys: spec.keys, nextOffset: events } });
  const t3 = now();
  // 1 % of the keys, one event each at the start of minute 13: inside their open windows, no window closes
  const activeKeys = Math.max(1, Math.floor(spec.keys * ACTIVE_SHARE));
  const stride = Math.floor(spec.keys / activeKeys);
  const ts = new Float64Array(activeKeys).fill(T0 + 13 * 60_000);
  const value = new Float64Array(activeKeys).fill(55);
  const key = Int32Array.from({ length: activeKeys }, (_, i) => i);
  const type = new Int32Array(activeKeys);
  const keys = Array.from({ length: activeKeys }, (_, i) => names[i * stride]!);
  const touched = engine.processBatch({ rows: [], errors: [], columns: [{ rows: activeKeys, ts, value, key, keys, type, types: TYPES }] });
  if (touched.errors.length > 0 || touched.windows.length > 0) throw new Error('build: the 1 % round must be accepted and close no window');
  events += activeKeys;
  const t4 = now();
  const changes = engine.snapshot(true);
  const delta = await store.write(SCOPE, { state: changes, meta: { keys: spec.keys, nextOffset: events }, chain: { base: written.seq, prev: written.seq } });
  const t5 = now();
  const stateBytes = engine.core.exports.stats_state_bytes();
  const wasmMemoryBytes = engine.core.memoryBytes();
  const { events: _, ...nextRound } = round(engine, NEXT_ROUND_MIN);
  return {
    keys: spec.keys,
    events,
    buildMs,
    windowsEmitted: windows,
    snapshotMs: t2 - t1,
    writeMs: t3 - t2,
    checkpointBytes: written.bytes,
    activeKeys,
    incrementalBytes: delta.bytes,
    incrementalMs: t5 - t4,
    stateBytes,
    wasmMemoryBytes,
    nextRound,
  };
}

async function restore(): Promise<RestoreResult> {
  const c0 = now();
  loadCore(); // compiles the module: process start-up, timed apart
  const c1 = now();
  const t0 = now();
  const engine = new BatchEngine(plan, loadCore(), 'bench', false);
  const t1 = now();
  const store = new CheckpointStore(spec.dir);
  const saved = await store.latest(SCOPE);
  const t2 = now();
  if (!saved) throw new Error(`restore: no checkpoint of scope ${SCOPE} in ${spec.dir}`);
  engine.restore(saved.state, saved.changes ?? []);
  const t3 = now();
  const wasmMemoryBytes = engine.core.memoryBytes();

  // ── checks, untimed: every key back, and the next round emits what it emitted in the original engine ──
  checkKeys(engine, 'restore');
  const { events: _, ...next } = round(engine, NEXT_ROUND_MIN);
  const want = spec.nextRound!;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  if (
    next.windows !== want.windows ||
    next.memberships !== want.memberships ||
    next.anomalies !== want.anomalies ||
    next.matches !== want.matches ||
    !close(next.weightedSum, want.weightedSum) ||
    !close(next.forecastSum, want.forecastSum)
  ) {
    throw new Error(`restore: the restored engine's next round differs from the original's: ${JSON.stringify({ restored: next, original: want })}`);
  }
  // the full checkpoint the chain starts from (the one build reported)
  const bytes = (await store.list(SCOPE)).find((e) => e.base === undefined)?.bytes ?? 0;
  return {
    keys: spec.keys,
    compileMs: c1 - c0,
    engineMs: t1 - t0,
    latestMs: t2 - t1,
    restoreMs: t3 - t2,
    totalMs: t3 - t0,
    checkpointBytes: bytes,
    wasmMemoryBytes,
  };
}

console.log(JSON.stringify(spec.mode === 'build' ? await build() : await restore()));
