/**
 * Reference implementation of eddy's sequence patterns, written from the spec
 * (not from assembly/patterns.ts): no automaton, no partial matches. Every
 * key keeps the full list of its events, and at each event a depth-first
 * search over the subsequences ending there finds the match to emit.
 *
 * Spec in brief
 *   - An event takes part when its ts is finite, key ≥ 0 and type ≥ 0; the
 *     others are invisible (they neither match nor break strict contiguity).
 *   - Per key, events in arrival order; clock(e) = max ts of the key's events
 *     up to and including e.
 *   - A match of a pattern (types t1…tk, strict flags, within) is e1 < … < ek
 *     (positions among the key's events) with type(ei) = ti; if step i ≥ 2 is
 *     strict, ei is the very next event after e(i−1); and
 *     clock(ek) − ts(e1) ≤ within (within = Infinity: no bound).
 *   - At each event, per pattern in index order: among the matches ending at
 *     this event whose events all come after the key's previous emitted match
 *     of that pattern, emit the lexicographically smallest by positions
 *     (earliest first event, then earliest second, …). An emitted match moves
 *     that boundary past its last event.
 *
 * This file also has the drivers the property tests use: one that feeds a
 * stream through the reference with a given batch split, and one that feeds
 * the wasm core the same way through the input columns and patterns_process
 * (optionally moving its state through snapshot → restore into a fresh core
 * between two batches).
 */
import type { WasmCore } from '../../src/core/wasmCore.js';
import { splitBatches } from './windows.js';

/** One event: type is an interned id, -1 = no type. */
export interface SeqEvent {
  ts: number;
  key: number;
  type: number;
}

/** A pattern as the core takes it: step type ids, strict flags (index 0 ignored), time bound in ms. */
export interface PatternDef {
  types: number[];
  strict: boolean[];
  within: number;
}

/** One emitted match. */
export interface MatchOut {
  key: number;
  pattern: number;
  firstTs: number;
  lastTs: number;
  /** Index within its batch of the event that completed the match. */
  row: number;
  /** Times of the matched events, in step order. */
  ts: number[];
}

/** Field indexes of a match record (assembly/matchOutput.ts). */
export const M_KEY = 0,
  M_PATTERN = 1,
  M_FIRST_TS = 2,
  M_LAST_TS = 3,
  M_ROW = 4,
  M_TS_AT = 5;

/** One event of a key as the reference keeps it: clock = max ts of the key so far. */
export interface KeyEvent {
  ts: number;
  type: number;
  clock: number;
}

/** The spec, executed literally. One instance per stream. */
export class ReferenceSequences {
  private readonly events = new Map<number, KeyEvent[]>();
  /** Per key: per pattern, the position where the next match may start. */
  private readonly boundary = new Map<number, number[]>();

  constructor(readonly patterns: readonly PatternDef[]) {}

  /** Processes one batch; returns the matches it emitted, in order. */
  process(batch: readonly SeqEvent[]): MatchOut[] {
    const out: MatchOut[] = [];
    batch.forEach((e, row) => {
      this.event(e, row, out);
    });
    return out;
  }

  private event(e: SeqEvent, row: number, out: MatchOut[]): void {
    if (!Number.isFinite(e.ts) || e.key < 0 || e.type < 0) return;
    let list = this.events.get(e.key);
    if (!list) this.events.set(e.key, (list = []));
    const clock = list.length === 0 ? e.ts : Math.max(list[list.length - 1]!.clock, e.ts);
    list.push({ ts: e.ts, type: e.type, clock });
    let bounds = this.boundary.get(e.key);
    if (!bounds) this.boundary.set(e.key, (bounds = this.patterns.map(() => 0)));
    const m = list.length - 1;
    this.patterns.forEach((p, pi) => {
      const found = findMatch(list, bounds[pi]!, m, p);
      if (!found) return;
      bounds[pi] = m + 1;
      const ts = found.map((i) => list[i]!.ts);
      out.push({ key: e.key, pattern: pi, firstTs: ts[0]!, lastTs: ts[ts.length - 1]!, row, ts });
    });
  }
}

/**
 * The lexicographically smallest positions i1 < … < ik = m with i1 ≥ from
 * that match pattern p on the key's events, or undefined. Plain depth-first
 * search in ascending order: the first complete tuple found is the smallest.
 * With `want`, only tuples whose event times are exactly `want` count.
 */
export function findMatch(list: readonly KeyEvent[], from: number, m: number, p: PatternDef, want?: readonly number[]): number[] | undefined {
  const k = p.types.length;
  const last = list[m]!;
  if (last.type !== p.types[k - 1]) return undefined;
  if (want && want[k - 1] !== last.ts) return undefined;
  const path: number[] = [];
  const extend = (step: number): boolean => {
    const prev = path[path.length - 1]!;
    if (step === k - 1) {
      if (m <= prev) return false;
      if (p.strict[step] && m !== prev + 1) return false;
      path.push(m);
      return true;
    }
    for (let i = prev + 1; i < m; i++) {
      if (p.strict[step] && i !== prev + 1) break;
      if (list[i]!.type !== p.types[step] || (want && want[step] !== list[i]!.ts)) continue;
      path.push(i);
      if (extend(step + 1)) return true;
      path.pop();
    }
    return false;
  };
  for (let i1 = from; i1 < m; i1++) {
    const first = list[i1]!;
    if (first.type !== p.types[0] || (want && want[0] !== first.ts)) continue;
    if (!(last.clock - first.ts <= p.within)) continue;
    path.length = 0;
    path.push(i1);
    if (extend(1)) return path;
  }
  return undefined;
}

/**
 * Checks a run's matches for soundness only (for runs where the core may drop
 * partial matches, maxPartials): every emitted match is a real match of its
 * pattern ending at its row's event, its events come after the previous
 * emitted match of the same key and pattern, and no event emits twice for a
 * pattern. Returns the first problem, or undefined.
 */
export function unsoundMatch(
  patterns: readonly PatternDef[],
  events: readonly SeqEvent[],
  batchSizes: readonly number[],
  batches: readonly MatchOut[][],
): string | undefined {
  const lists = new Map<number, KeyEvent[]>();
  const bounds = new Map<string, number>();
  const batchesIn = splitBatches(events, batchSizes);
  for (let b = 0; b < batchesIn.length; b++) {
    const batch = batchesIn[b]!;
    const byRow = new Map<number, MatchOut[]>();
    for (const m of batches[b]!) {
      if (!(Number.isInteger(m.row) && m.row >= 0 && m.row < batch.length)) return `batch ${b}: match at row ${m.row}`;
      byRow.set(m.row, [...(byRow.get(m.row) ?? []), m]);
    }
    for (let row = 0; row < batch.length; row++) {
      const e = batch[row]!;
      const emitted = byRow.get(row) ?? [];
      if (!Number.isFinite(e.ts) || e.key < 0 || e.type < 0) {
        if (emitted.length) return `batch ${b} row ${row}: a match at an invisible event`;
        continue;
      }
      let list = lists.get(e.key);
      if (!list) lists.set(e.key, (list = []));
      list.push({ ts: e.ts, type: e.type, clock: list.length === 0 ? e.ts : Math.max(list[list.length - 1]!.clock, e.ts) });
      const m = list.length - 1;
      const seen = new Set<number>();
      for (const match of emitted) {
        if (match.key !== e.key) return `batch ${b} row ${row}: match of key ${match.key} at an event of key ${e.key}`;
        if (seen.has(match.pattern)) return `batch ${b} row ${row}: two matches of pattern ${match.pattern}`;
        seen.add(match.pattern);
        const p = patterns[match.pattern];
        if (!p || match.ts.length !== p.types.length) return `batch ${b} row ${row}: bad pattern or length`;
        const id = `${e.key}|${match.pattern}`;
        if (!findMatch(list, bounds.get(id) ?? 0, m, p, match.ts))
          return `batch ${b} row ${row}: [${match.ts.join(',')}] is not a match of pattern ${match.pattern}`;
        bounds.set(id, m + 1);
      }
    }
  }
  return undefined;
}

// ── drivers ───────────────────────────────────────────────────────────────

/** Runs a stream through the reference, one process() per batch. */
export function runSequenceReference(
  patterns: readonly PatternDef[],
  events: readonly SeqEvent[],
  batchSizes: readonly number[] = [events.length],
): MatchOut[][] {
  const ref = new ReferenceSequences(patterns);
  return splitBatches(events, batchSizes).map((b) => ref.process(b));
}

/** Declares the patterns in a core (throws on a rejected configuration). */
export function configureCorePatterns(core: WasmCore, patterns: readonly PatternDef[], maxPartials = 64): void {
  const ex = core.exports;
  const check = (code: number, what: string): void => {
    if (code !== 0) throw new Error(`${what} rejected with code ${code}`);
  };
  check(ex.patterns_define(patterns.length, maxPartials), 'patterns_define');
  patterns.forEach((p, i) => {
    check(ex.patterns_set(i, p.types.length, p.within), `patterns_set ${i}`);
    p.types.forEach((t, s) => {
      check(ex.patterns_set_step(i, s, t, p.strict[s] ? 1 : 0), `patterns_set_step ${i} ${s}`);
    });
  });
}

/** Reads the match records of the core's last patterns_process. */
export function readMatches(core: WasmCore): MatchOut[] {
  const ex = core.exports;
  const f64 = new Float64Array(ex.memory.buffer);
  const at = ex.out_matches_ptr() >>> 3;
  const width = ex.out_matches_width();
  const tsAt = ex.out_match_ts_ptr() >>> 3;
  const tsCount = ex.out_match_ts_count();
  const count = ex.out_matches_count();
  const out: MatchOut[] = [];
  for (let i = 0; i < count; i++) {
    const r = at + i * width;
    // a match's times run from its own offset to the next match's (the last one: to the end)
    const from = f64[r + M_TS_AT]!;
    const to = i + 1 < count ? f64[r + width + M_TS_AT]! : tsCount;
    out.push({
      key: f64[r + M_KEY]!,
      pattern: f64[r + M_PATTERN]!,
      firstTs: f64[r + M_FIRST_TS]!,
      lastTs: f64[r + M_LAST_TS]!,
      row: f64[r + M_ROW]!,
      ts: Array.from(f64.subarray(tsAt + from, tsAt + to)),
    });
  }
  return out;
}

/** Writes one batch into the core's input columns and runs the patterns over it. */
export function feedPatternBatch(core: WasmCore, batch: readonly SeqEvent[]): MatchOut[] {
  const cols = core.reserve(batch.length);
  batch.forEach((e, i) => {
    cols.ts[i] = e.ts;
    cols.key[i] = e.key;
    cols.value[i] = 0;
    cols.type[i] = e.type;
  });
  const n = core.exports.patterns_process(batch.length);
  const out = readMatches(core);
  if (out.length !== n) throw new Error(`patterns_process returned ${n}, out_matches_count() is ${out.length}`);
  return out;
}

/** The temporary pattern-only snapshot exports (assembly/patternsSnapshot.ts), while snapshot.ts lacks the patterns. */
interface PatternSnapshotExports {
  patterns_snapshot_take(): number;
  patterns_snapshot_ptr(): number;
  patterns_restore_reserve(length: number): number;
  patterns_restore_commit(): number;
}

/** Snapshot of a core for moving its pattern state: the temporary pattern-only exports if the core has them, else the core's snapshot(). */
export function takePatternSnapshot(core: WasmCore): Uint8Array {
  const ex = core.exports as unknown as Partial<PatternSnapshotExports>;
  if (!ex.patterns_snapshot_take) return core.snapshot();
  const length = ex.patterns_snapshot_take();
  return new Uint8Array(core.exports.memory.buffer, ex.patterns_snapshot_ptr!(), length).slice();
}

/** Restores a snapshot taken by takePatternSnapshot; throws when the core refuses it. */
export function restorePatternSnapshot(core: WasmCore, bytes: Uint8Array): void {
  const ex = core.exports as unknown as Partial<PatternSnapshotExports>;
  if (!ex.patterns_restore_reserve) {
    core.restore(bytes);
    return;
  }
  const at = ex.patterns_restore_reserve(bytes.length);
  new Uint8Array(core.exports.memory.buffer, at, bytes.length).set(bytes);
  const code = ex.patterns_restore_commit!();
  if (code !== 0) throw new Error(`pattern snapshot refused (code ${code})`);
}

export interface PatternRunOptions {
  /** Partial matches kept per key and pattern (default 64). */
  maxPartials?: number;
  /** Move the state into a FRESH core after this many batches (0 = before the first). Undefined: no snapshot. */
  snapshotAfter?: number;
  /** Called after each batch with the core (for stats checks). */
  afterBatch?: (core: WasmCore, batch: number) => void;
}

/** Runs a stream through the wasm core's patterns the same way as runSequenceReference. */
export function runSequenceCore(
  newCore: () => WasmCore,
  patterns: readonly PatternDef[],
  events: readonly SeqEvent[],
  batchSizes: readonly number[] = [events.length],
  opts: PatternRunOptions = {},
): { batches: MatchOut[][]; core: WasmCore } {
  let core = newCore();
  configureCorePatterns(core, patterns, opts.maxPartials);
  const batches = splitBatches(events, batchSizes).map((b, i) => {
    if (opts.snapshotAfter === i) {
      const bytes = takePatternSnapshot(core);
      core = newCore();
      restorePatternSnapshot(core, bytes);
    }
    const out = feedPatternBatch(core, b);
    opts.afterBatch?.(core, i);
    return out;
  });
  return { batches, core };
}

/** A run's matches as one comparable text per batch. */
export function matchText(batches: readonly MatchOut[][]): string[] {
  return batches.map((b) => b.map((m) => `k${m.key} p${m.pattern} r${m.row} [${m.ts.join(',')}]`).join('; '));
}
