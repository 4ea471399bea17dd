/**
 * Sequence patterns: `A -> B -> C within 5m` over the events' interned type,
 * per key, as a set of partial matches per key and pattern (an NFA run with
 * the partial matches as its threads).
 *
 * Semantics (test/reference/sequence.ts executes them by brute force):
 *
 *   Stream. An event takes part when its time is finite, its key ≥ 0 and its
 *   type ≥ 0; rows with type -1 (no type) are invisible to patterns: they
 *   neither match nor break strict contiguity. The events of one key are
 *   taken in arrival order; other keys never matter.
 *
 *   Clock. Each key has its own clock: the max event time of its events so
 *   far (in arrival order, including the current one).
 *
 *   Match. For a pattern of k ≥ 2 steps (type t_i, strict flag s_i), a match
 *   is events e1 … ek of one key, in arrival order, with type(e_i) = t_i;
 *   for a strict step (s_i, i ≥ 2) e_i is the key's very next event after
 *   e_(i−1); a relaxed step may skip any events of the key. Time bound:
 *   clock(ek) − ts(e1) ≤ within. On an in-order stream that is
 *   ts(ek) − ts(e1) ≤ within; with out-of-order times it also requires every
 *   event of the key up to ek to be at most `within` after e1, so a partial
 *   match dies for good once the key's clock passes ts(e1) + within, and an
 *   event already more than `within` behind its key's clock starts nothing.
 *   within = +∞ means unbounded. Strict on step 1 has no meaning and is ignored.
 *
 *   Emission. At each event, for each pattern in index order: if matches of
 *   the key end at this event (using only events after the key's previous
 *   match of that pattern), ONE is emitted: the one whose first event arrived
 *   earliest, ties broken by the lexicographically smallest arrival positions
 *   of the following events. Then every partial match of that pattern and
 *   key is discarded (after-match skip past the last event), so matches of a
 *   pattern and key never share events, and each starts after the previous
 *   one ended (in arrival order). Patterns are independent of each other.
 *
 * Why the threads stay few. A partial match (state j = steps matched, first
 * event f, last event l) has a future that depends only on j and, when step
 * j+1 is strict, on l being the key's latest event; all live strict-next
 * partials have that l. So at most one partial per (state, first event) is
 * kept (a coarser dedupe than per (state, first, last), with the same
 * output): the one with the lexicographically smallest path, which is always
 * the one kept first (see merge). And a partial (j, f2) is dominated by
 * (j, f1) with f1 earlier and ts(f1) ≥ ts(f2) (or an unbounded within): f1
 * lives at least as long and wins every tie, so f2 is dropped. Without a
 * bound (within = +∞) that leaves ≤ 1 partial per state.
 *
 * Memory bound. At most `maxPartials` partials per key and pattern: on
 * overflow the one with the oldest first event (ties: lowest state) is
 * dropped and counted in `patternsDroppedTotal` — from then on that key's
 * matches may start later than the semantics above say. Dead partials are
 * dropped at the key's next event (only that event can move its clock).
 * Timed-out partials are not reported.
 */
import { STATUS_OK, E_PATTERN_COUNT, E_PATTERN_MAX_PARTIALS, E_PATTERN_INDEX, E_PATTERN_STEPS, E_PATTERN_WITHIN, E_PATTERN_STEP_INDEX, E_PATTERN_TYPE } from "./abi";
import { MAX_STEPS, DEFAULT_MAX_PARTIALS } from "./abi";
export { MAX_STEPS, DEFAULT_MAX_PARTIALS };
import { M_KEY, M_PATTERN, M_FIRST_TS, M_LAST_TS, M_ROW, M_TS_AT } from "./abi";
import { release } from "./buffers";
import { inputTs, inputKey, inputType, inputCap } from "./input";
import { Writer, Reader } from "./serial";
import { matchesOut, matchTsOut, matchOutputsReset } from "./matchOutput";
import {
  R_SEQ, R_CLOCK, L_BLOCK, L_N, L_CAP,
  patternKeysConfigure, patternKeyRecord, patternKeyRecordIfAllocated, listSlot, patternKeyCount,
} from "./patternKeys";

/** Most patterns. */
export const MAX_PATTERNS: i32 = 1024;
/** Largest accepted maxPartials. */
export const MAX_PARTIALS_LIMIT: i32 = 1 << 16;

// ── configuration ─────────────────────────────────────────────────────────
//
// One record per pattern, `PATTERN_BYTES` each, in one block:
//
// ┌───────────┬────────────┬────────────┬─────────────────────────┬────────────────────────────┐
// │ steps i32 │ stride i32 │ within f64 │ type ids i32[MAX_STEPS] │ strict flags i32[MAX_STEPS] │
// └───────────┴────────────┴────────────┴─────────────────────────┴────────────────────────────┘
//   0           4            8            16                        16 + 4 × MAX_STEPS
//
// steps 0 = not set yet (the pattern matches nothing); stride = bytes of one
// of its partial entries; unset step types are -1 (never match).
const P_STEPS: usize = 0;
const P_STRIDE: usize = 4;
const P_WITHIN: usize = 8;
const P_TYPES: usize = 16;
const P_STRICT: usize = P_TYPES + <usize>MAX_STEPS * 4;
const PATTERN_BYTES: usize = P_STRICT + <usize>MAX_STEPS * 4;

// A partial entry (in the list block of a key and pattern, see patternKeys.ts),
// `8 + 16 × (steps − 1)` bytes: the state and the j events matched so far.
//
// ┌───────────┬───────┬─────────────┬────────────┬─────┬───────────────┬──────────────┐
// │ state i32 │ (pad) │ seq e1 f64  │ ts e1 f64  │ ... │ seq ej f64    │ ts ej f64    │
// └───────────┴───────┴─────────────┴────────────┴─────┴───────────────┴──────────────┘
//   0                   8             16                 8 + 16(j−1)
//
// state j = steps matched (1 ≤ j < steps); seq = the event's position among
// its key's events (1-based), which orders paths and checks strictness.
const E_STATE: usize = 0;
const E_SEQ0: usize = 8;
const E_TS0: usize = 16;

/** Offset of matched event `i` (0-based) in an entry: its seq; its ts is 8 bytes further. */
@inline function eventAt(i: i32): usize {
  return 8 + (<usize>i << 4);
}

/** Bytes of a partial entry of a pattern with `steps` steps. */
@inline function strideOf(steps: i32): i32 {
  return 8 + 16 * (steps - 1);
}

let patCount: i32 = 0;
let maxPartials: i32 = DEFAULT_MAX_PARTIALS;
let config: usize = 0;

// The configuration before the last patternsLoadConfig, put back by patternsLoadFailed.
let stashed: bool = false;
let stashConfig: usize = 0;
let stashCount: i32 = 0;
let stashMaxPartials: i32 = DEFAULT_MAX_PARTIALS;

// New partials of one (event, pattern) before they are merged: ≤ one
// extension per live partial plus one start.
let scratch: usize = 0;
let scratchBytes: usize = 0;
// The event times of the best completion found while scanning (MAX_STEPS f64).
const BEST_TS: usize = memory.data(MAX_STEPS * 8, 8);

// ── counters (since start, carried across snapshots) ──────────────────────
let activeTotal: i32 = 0;
let matchesTotal: f64 = 0;
let droppedTotal: f64 = 0;

@inline function patternAt(p: i32): usize {
  return config + <usize>p * PATTERN_BYTES;
}

/** Makes the scratch block hold maxPartials + 1 entries of the widest pattern. */
function sizeScratch(): void {
  let widest = 0;
  for (let p = 0; p < patCount; p++) {
    const stride = load<i32>(patternAt(p), P_STRIDE);
    if (stride > widest) widest = stride;
  }
  const need = <usize>(maxPartials + 1) * <usize>widest;
  if (need <= scratchBytes) return;
  scratch = release(scratch);
  scratch = heap.alloc(need);
  scratchBytes = need;
}

function dropStash(): void {
  stashConfig = release(stashConfig);
  stashed = false;
}

/** A config block for `count` patterns, none set; 0 for none. */
function allocConfig(count: i32): usize {
  if (count == 0) return 0;
  const block = heap.alloc(<usize>count * PATTERN_BYTES);
  memory.fill(block, 0, <usize>count * PATTERN_BYTES);
  return block;
}

/**
 * Declares `count` patterns (none set yet) keeping at most `maxPartialsPerKey`
 * partial matches per key and pattern; empties all pattern state.
 */
export function patternsDefine(count: i32, maxPartialsPerKey: i32): i32 {
  if (count < 0 || count > MAX_PATTERNS) return E_PATTERN_COUNT;
  if (maxPartialsPerKey < 1 || maxPartialsPerKey > MAX_PARTIALS_LIMIT) return E_PATTERN_MAX_PARTIALS;
  dropStash();
  config = release(config);
  config = allocConfig(count);
  patCount = count;
  maxPartials = maxPartialsPerKey;
  scratch = release(scratch);
  scratchBytes = 0;
  patternsReset();
  return STATUS_OK;
}

/** Stores pattern `p`'s shape: `steps` steps (types unset), time bound `within` ms. */
function shapePattern(p: i32, steps: i32, within: f64): void {
  const at = patternAt(p);
  store<i32>(at, steps, P_STEPS);
  store<i32>(at, strideOf(steps), P_STRIDE);
  store<f64>(at, within, P_WITHIN);
  for (let i = 0; i < MAX_STEPS; i++) {
    store<i32>(at + P_TYPES + (<usize>i << 2), -1);
    store<i32>(at + P_STRICT + (<usize>i << 2), 0);
  }
}

/**
 * Sets pattern `p` to `steps` steps (2 ≤ steps ≤ MAX_STEPS) whose first and
 * last events are at most `within` ms apart on the key's clock (+∞ =
 * unbounded); its step types are unset until patternsSetStep. Empties all
 * pattern state.
 */
export function patternsSet(p: i32, steps: i32, within: f64): i32 {
  if (p < 0 || p >= patCount) return E_PATTERN_INDEX;
  if (steps < 2 || steps > MAX_STEPS) return E_PATTERN_STEPS;
  if (!(within >= 0)) return E_PATTERN_WITHIN;
  dropStash();
  shapePattern(p, steps, within);
  sizeScratch();
  patternsReset();
  return STATUS_OK;
}

/** Sets step `i` of pattern `p` to type id `typeId` (≥ 0); `strict` ≠ 0: it must be the key's next event. Empties all pattern state. */
export function patternsSetStep(p: i32, i: i32, typeId: i32, strict: i32): i32 {
  if (p < 0 || p >= patCount) return E_PATTERN_INDEX;
  const at = patternAt(p);
  if (i < 0 || i >= load<i32>(at, P_STEPS)) return E_PATTERN_STEP_INDEX;
  if (typeId < 0) return E_PATTERN_TYPE;
  dropStash();
  store<i32>(at + P_TYPES + (<usize>i << 2), typeId);
  store<i32>(at + P_STRICT + (<usize>i << 2), strict != 0 ? 1 : 0);
  patternsReset();
  return STATUS_OK;
}

/** Drops every key's partial matches, clocks and the counters; the patterns stay. */
export function patternsReset(): void {
  patternKeysConfigure(patCount);
  activeTotal = 0;
  matchesTotal = 0;
  droppedTotal = 0;
  matchOutputsReset();
}

// ── the hot loop ──────────────────────────────────────────────────────────

/**
 * Runs every pattern over rows 0…n−1 of the input columns (ts, key, type);
 * returns the number of matches output (records in matchesOut, their event
 * times in matchTsOut). Outputs are reset first.
 */
export function patternsProcess(n: i32): i32 {
  matchOutputsReset();
  if (patCount == 0) return 0;
  if (n > inputCap) n = inputCap;
  for (let i = 0; i < n; i++) {
    const ts = load<f64>(inputTs + (<usize>i << 3));
    const k = load<i32>(inputKey + (<usize>i << 2));
    const y = load<i32>(inputType + (<usize>i << 2));
    if (!(ts - ts == 0) || k < 0 || y < 0) continue;
    const record = patternKeyRecord(k);
    const seq = load<f64>(record, R_SEQ) + 1;
    let clock = load<f64>(record, R_CLOCK);
    if (seq == 1 || ts > clock) clock = ts;
    store<f64>(record, seq, R_SEQ);
    store<f64>(record, clock, R_CLOCK);
    for (let p = 0; p < patCount; p++) advance(record, k, p, seq, clock, ts, y, i);
  }
  return matchesOut.count;
}

/** One event (position `seq` of its key, type `y`) against pattern `p`'s partials of its key. */
function advance(record: usize, key: i32, p: i32, seq: f64, clock: f64, ts: f64, y: i32, row: i32): void {
  const cfg = patternAt(p);
  const steps = load<i32>(cfg, P_STEPS);
  if (steps < 2) return;
  const slot = listSlot(record, p);
  const n = load<i32>(slot, L_N);
  const startsHere = y == load<i32>(cfg, P_TYPES);
  if (n == 0 && !startsHere) return;
  const stride = <usize>load<i32>(cfg, P_STRIDE);
  const within = load<f64>(cfg, P_WITHIN);
  const list = load<usize>(slot, L_BLOCK);
  // One pass: drop the dead, note the best completion, write extensions to
  // scratch, and compact the survivors in place (they keep their order).
  let kept = 0;
  let fresh = 0;
  let bestFirst: f64 = Infinity;
  for (let r = 0; r < n; r++) {
    const e = list + <usize>r * stride;
    if (!(clock - load<f64>(e, E_TS0) <= within)) continue; // can no longer complete in time
    const j = load<i32>(e, E_STATE);
    const nextType = load<i32>(cfg + P_TYPES + (<usize>j << 2));
    const nextStrict = load<i32>(cfg + P_STRICT + (<usize>j << 2)) != 0;
    // (A strict-next partial always ends at the key's previous event, see
    // below; the check keeps that from being a silent assumption.)
    if (y == nextType && (!nextStrict || load<f64>(e + eventAt(j - 1)) == seq - 1)) {
      if (j + 1 == steps) {
        // Firsts are unique per state (one partial per (state, first)), so no ties here.
        const first = load<f64>(e, E_SEQ0);
        if (first < bestFirst) {
          bestFirst = first;
          for (let s = 0; s < j; s++) store<f64>(BEST_TS + (<usize>s << 3), load<f64>(e + eventAt(s), 8));
        }
      } else {
        const x = scratch + <usize>fresh * stride;
        memory.copy(x, e, eventAt(j));
        store<i32>(x, j + 1, E_STATE);
        store<f64>(x + eventAt(j), seq);
        store<f64>(x + eventAt(j), ts, 8);
        fresh++;
      }
    }
    // A strict-next partial has had its next event: it moved on (above) or died.
    if (nextStrict) continue;
    if (kept != r) memory.copy(list + <usize>kept * stride, e, stride);
    kept++;
  }
  if (bestFirst != Infinity) {
    emitMatch(key, p, steps, ts, row);
    activeTotal -= n;
    store<i32>(slot, 0, L_N);
    return;
  }
  activeTotal -= n - kept;
  store<i32>(slot, kept, L_N);
  if (startsHere && clock - ts <= within) {
    const x = scratch + <usize>fresh * stride;
    store<i32>(x, 1, E_STATE);
    store<f64>(x, seq, E_SEQ0);
    store<f64>(x, ts, E_TS0);
    fresh++;
  }
  const unbounded = within == Infinity;
  for (let f = 0; f < fresh; f++) merge(slot, scratch + <usize>f * stride, stride, unbounded);
}

/** Writes the match whose first k−1 event times are in BEST_TS and whose last event is (ts, row). */
function emitMatch(key: i32, p: i32, steps: i32, ts: f64, row: i32): void {
  const out = matchesOut.next();
  store<f64>(out, <f64>key, <usize>M_KEY << 3);
  store<f64>(out, <f64>p, <usize>M_PATTERN << 3);
  store<f64>(out, load<f64>(BEST_TS), <usize>M_FIRST_TS << 3);
  store<f64>(out, ts, <usize>M_LAST_TS << 3);
  store<f64>(out, <f64>row, <usize>M_ROW << 3);
  store<f64>(out, <f64>matchTsOut.count, <usize>M_TS_AT << 3);
  for (let s = 0; s < steps - 1; s++) store<f64>(matchTsOut.next(), load<f64>(BEST_TS + (<usize>s << 3)));
  store<f64>(matchTsOut.next(), ts);
  matchesTotal++;
}

/**
 * Adds the new partial `x` to a key's list: dropped when the list holds one
 * of the same (state, first) or one that dominates it, removing the partials
 * it dominates; on a full list the oldest first event goes.
 *
 * Keeping the partial already there keeps the lexicographically smallest
 * path: the path held for a (state, first) never gets smaller over time
 * (state 1: the first alone; state j: the (j−1, first) path, never smaller
 * than before, plus an event later than before), so x's is never before it.
 */
function merge(slot: usize, x: usize, stride: usize, unbounded: bool): void {
  let list = load<usize>(slot, L_BLOCK);
  let n = load<i32>(slot, L_N);
  const j = load<i32>(x, E_STATE);
  const xFirst = load<f64>(x, E_SEQ0);
  const xTs = load<f64>(x, E_TS0);
  let r = 0;
  while (r < n) {
    const e = list + <usize>r * stride;
    if (load<i32>(e, E_STATE) != j) {
      r++;
      continue;
    }
    const eFirst = load<f64>(e, E_SEQ0);
    if (eFirst == xFirst) return; // same future, and e's path is not larger (above)
    const eTs = load<f64>(e, E_TS0);
    if (eFirst < xFirst) {
      if (unbounded || eTs >= xTs) return; // x can never be the earliest completion
    } else if (unbounded || xTs >= eTs) {
      // e is dominated by x: move the last entry into its place (order is irrelevant)
      n--;
      if (r != n) memory.copy(e, list + <usize>n * stride, stride);
      activeTotal--;
      continue;
    }
    r++;
  }
  if (n == maxPartials) {
    droppedTotal++;
    let victim = -1;
    let vFirst = xFirst;
    let vState = j;
    for (let i = 0; i < n; i++) {
      const e = list + <usize>i * stride;
      const f = load<f64>(e, E_SEQ0);
      const s = load<i32>(e, E_STATE);
      if (f < vFirst || (f == vFirst && s < vState)) {
        victim = i;
        vFirst = f;
        vState = s;
      }
    }
    if (victim < 0) {
      store<i32>(slot, n, L_N);
      return;
    }
    n--;
    if (victim != n) memory.copy(list + <usize>victim * stride, list + <usize>n * stride, stride);
    activeTotal--;
  }
  const cap = load<i32>(slot, L_CAP);
  if (n == cap) {
    let grown = cap < 4 ? 4 : cap << 1;
    if (grown > maxPartials) grown = maxPartials;
    list = list == 0 ? heap.alloc(<usize>grown * stride) : heap.realloc(list, <usize>grown * stride);
    store<usize>(slot, list, L_BLOCK);
    store<i32>(slot, grown, L_CAP);
  }
  memory.copy(list + <usize>n * stride, x, stride);
  store<i32>(slot, n + 1, L_N);
  activeTotal++;
}

// ── stats ─────────────────────────────────────────────────────────────────

/** Partial matches held over all keys and patterns. */
export function patternsActivePartials(): i32 { return activeTotal; }
/** Matches emitted since start. */
export function patternsMatchesTotal(): f64 { return matchesTotal; }
/** Partial matches dropped because a key's list was full, since start. */
export function patternsDroppedTotal(): f64 { return droppedTotal; }
/** Number of patterns declared. */
export function patternsCount(): i32 { return patCount; }

// ── snapshot ──────────────────────────────────────────────────────────────
//
// Configuration and counters (the snapshot's partition part):
//   i32 patterns, i32 maxPartials
//   per pattern: i32 steps, f64 within, per step: i32 type id, i32 strict
//   f64 matchesTotal, f64 droppedTotal
// A key's part of its key record (keyRecords.ts), when it has seen a typed event:
//   f64 seq, f64 clock, per pattern: i32 n, then n partial entries (stride bytes each)

/** Writes the patterns and the counters. */
export function patternsSaveConfig(w: Writer): void {
  w.i32(patCount);
  w.i32(maxPartials);
  for (let p = 0; p < patCount; p++) {
    const at = patternAt(p);
    const steps = load<i32>(at, P_STEPS);
    w.i32(steps);
    w.f64(load<f64>(at, P_WITHIN));
    for (let i = 0; i < steps; i++) {
      w.i32(load<i32>(at + P_TYPES + (<usize>i << 2)));
      w.i32(load<i32>(at + P_STRICT + (<usize>i << 2)));
    }
  }
  w.f64(matchesTotal);
  w.f64(droppedTotal);
}

/** Upper bound of the bytes patternsSaveConfig writes. */
export function patternsConfigBound(): f64 {
  let bound: f64 = 32;
  for (let p = 0; p < patCount; p++) bound += 12 + 8 * <f64>load<i32>(patternAt(p), P_STEPS);
  return bound;
}

/** True when key `k` has pattern state (it has seen a typed event). */
export function patternKeyHeld(k: i32): bool {
  const record = patternKeyRecordIfAllocated(k);
  return record != 0 && load<f64>(record, R_SEQ) != 0;
}

/** Upper bound of patternKeySave's bytes for key `k`. */
export function patternKeyBound(k: i32): f64 {
  const record = patternKeyRecordIfAllocated(k);
  let bound: f64 = 16 + 4 * <f64>patCount;
  if (record == 0) return bound;
  for (let p = 0; p < patCount; p++) bound += <f64>load<i32>(listSlot(record, p), L_N) * <f64>load<i32>(patternAt(p), P_STRIDE);
  return bound;
}

/** Writes key `k`'s pattern state (call only when patternKeyHeld(k)). */
export function patternKeySave(w: Writer, k: i32): void {
  const record = patternKeyRecordIfAllocated(k);
  w.f64(load<f64>(record, R_SEQ));
  w.f64(load<f64>(record, R_CLOCK));
  for (let p = 0; p < patCount; p++) {
    const slot = listSlot(record, p);
    const n = load<i32>(slot, L_N);
    w.i32(n);
    if (n == 0) continue;
    const stride = <usize>load<i32>(patternAt(p), P_STRIDE);
    const list = load<usize>(slot, L_BLOCK);
    for (let i = 0; i < n; i++) {
      // an entry's padding and its event slots past its state are never read and may hold
      // bytes of earlier entries: written as zeros, so the same partials are the same bytes
      const at = w.pos;
      w.bytes(list + <usize>i * stride, stride);
      store<i32>(at, 0, 4);
      const used = eventAt(load<i32>(at, E_STATE));
      memory.fill(at + used, 0, stride - used);
    }
  }
}

/** Puts back the configuration stashed by patternsLoadConfig and empties the state. */
function unstash(): void {
  config = release(config);
  config = stashConfig;
  patCount = stashCount;
  maxPartials = stashMaxPartials;
  stashConfig = 0;
  stashed = false;
  sizeScratch();
  patternsReset();
}

/**
 * Reads what patternsSaveConfig wrote, with no keys yet (patternKeyLoad
 * reads them); returns false on malformed input, having emptied the state
 * and put back the patterns the core had before. The previous patterns stay
 * stashed until patternsLoadFailed() or the next load, so a later failure of
 * the same restore can put them back.
 */
export function patternsLoadConfig(r: Reader): bool {
  dropStash();
  // The stash takes the current block; the loaded patterns get a new one.
  stashConfig = config;
  stashCount = patCount;
  stashMaxPartials = maxPartials;
  stashed = true;
  config = 0;
  const count = r.i32();
  const maxP = r.i32();
  if (!r.ok || count < 0 || count > MAX_PATTERNS || maxP < 1 || maxP > MAX_PARTIALS_LIMIT) {
    unstash();
    return false;
  }
  config = allocConfig(count);
  patCount = count;
  maxPartials = maxP;
  patternsReset();
  if (!loadConfigBody(r)) {
    unstash();
    return false;
  }
  return true;
}

function loadConfigBody(r: Reader): bool {
  for (let p = 0; p < patCount; p++) {
    const steps = r.i32();
    const within = r.f64();
    if (!r.ok || !(within >= 0)) return false;
    if (steps == 0) continue;
    if (steps < 2 || steps > MAX_STEPS) return false;
    shapePattern(p, steps, within);
    const at = patternAt(p);
    for (let i = 0; i < steps; i++) {
      const type = r.i32();
      const strict = r.i32();
      if (!r.ok || type < 0 || (strict != 0 && strict != 1)) return false;
      store<i32>(at + P_TYPES + (<usize>i << 2), type);
      store<i32>(at + P_STRICT + (<usize>i << 2), strict);
    }
  }
  sizeScratch();
  matchesTotal = r.f64();
  droppedTotal = r.f64();
  return r.ok;
}

/**
 * Reads key `k`'s part of a key record (written by patternKeySave) into the
 * loaded patterns. Besides reading, it checks what the hot loop relies on
 * (states within their pattern, list lengths within maxPartials) and the
 * invariants of the semantics (increasing event positions, partials alive on
 * their key's clock, strict-next partials ending at the key's latest event).
 * False on malformed input (the caller then fails the whole restore).
 */
export function patternKeyLoad(r: Reader, k: i32): bool {
  const seq = r.f64();
  const clock = r.f64();
  if (!r.ok || !(seq >= 1 && seq <= 9007199254740992 && seq == Math.floor(seq)) || !isFinite(clock)) return false;
  const record = patternKeyRecord(k);
  store<f64>(record, seq, R_SEQ);
  store<f64>(record, clock, R_CLOCK);
  for (let p = 0; p < patCount; p++) {
    const n = r.i32();
    if (!r.ok || n < 0 || n > maxPartials) return false;
    if (n == 0) continue;
    const at = patternAt(p);
    const steps = load<i32>(at, P_STEPS);
    if (steps < 2) return false;
    const stride = <usize>load<i32>(at, P_STRIDE);
    const slot = listSlot(record, p);
    const list = heap.alloc(<usize>n * stride);
    store<usize>(slot, list, L_BLOCK);
    store<i32>(slot, n, L_CAP);
    store<i32>(slot, n, L_N);
    activeTotal += n;
    r.bytes(list, <usize>n * stride);
    if (!r.ok) return false;
    const within = load<f64>(at, P_WITHIN);
    for (let i = 0; i < n; i++) {
      if (!validEntry(list + <usize>i * stride, at, steps, seq, clock, within)) return false;
    }
  }
  return true;
}

function validEntry(e: usize, pattern: usize, steps: i32, keySeq: f64, clock: f64, within: f64): bool {
  const j = load<i32>(e, E_STATE);
  if (j < 1 || j >= steps) return false;
  let prev: f64 = 0;
  for (let i = 0; i < j; i++) {
    const s = load<f64>(e + eventAt(i));
    const t = load<f64>(e + eventAt(i), 8);
    if (!(s > prev && s <= keySeq && s == Math.floor(s)) || !isFinite(t)) return false;
    if (i > 0 && load<i32>(pattern + P_STRICT + (<usize>i << 2)) != 0 && s != prev + 1) return false;
    prev = s;
  }
  if (!(clock - load<f64>(e, E_TS0) <= within)) return false;
  if (load<i32>(pattern + P_STRICT + (<usize>j << 2)) != 0 && prev != keySeq) return false;
  return true;
}

/**
 * Undoes the last successful patternsLoadConfig (when a later part of the same
 * restore failed): empties the state and puts back the patterns from before
 * it. Without a load to undo it only empties the state.
 */
export function patternsLoadFailed(): void {
  if (stashed) unstash();
  else patternsReset();
}
