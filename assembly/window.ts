/**
 * Event-time tumbling and sliding windows per key, built from panes.
 *
 * Windows are [start, start + size) with start a multiple of `slide` since the
 * epoch (Spark's alignment). The timeline is cut into panes of
 * gcd(size, slide); an event is folded into exactly one pane of its key
 * (Welford), and a window is the Chan merge of its size/pane panes when it
 * closes. Tumbling windows are the case slide = size (one pane per window).
 *
 * Time (per event, so results never depend on how the stream is cut into batches):
 *   watermark  = max event time seen − delay
 *   a window closes once watermark − allowedLateness ≥ its end; in append mode
 *   it is emitted then, exactly once, and its oldest panes are freed.
 *   An event is late when every window that contains it has closed: it is
 *   counted for its key and written to the late output, never folded in.
 *
 * Live panes: [first pane of the oldest open window, that + ringCap), where
 * ringCap = ceil((size + delay + lateness) / pane) + 1 bounds the distance between
 * the newest event and the oldest open window (see ring.ts).
 *
 * Active keys (those with data in some live pane) are kept in activation
 * order; closing a window visits exactly them, in that order, so output order
 * is deterministic too.
 */
import { STATUS_OK, E_WINDOW_SIZE, E_WINDOW_SLIDE, E_WINDOW_DELAY, E_WINDOW_LATENESS, E_WINDOW_PANES, E_WINDOW_MODE } from "./abi";
import { W_KEY, W_START, W_END, W_COUNT, W_SUM, W_AVG, W_STDDEV, W_MIN, W_MAX, L_TS, L_KEY, L_VALUE, L_ROW } from "./abi";
import { I32List } from "./buffers";
import {
  STATS_BYTES, S_COUNT, statsInit, statsAdd,
  accReset, accMerge, accN, accAvg, accSum, accStddev, accMinValue, accMaxValue,
} from "./welford";
import { ringCap, ringBasePane, ringConfigure, ringSlot, ringAdvance, ringRebase, ringBaseSlot, ringRestore } from "./ring";
import {
  K_NONEMPTY, K_LISTED, K_LATE, K_DIRTY, keyChunk, keyChunkIfAllocated, keyHeader, paneRecord, allocateChunk,
  keysCover, keysConfigure, keysReset, keyDirtyWords, keyCount, keysRestoreCount,
  chunkTable, chunkCap, KEY_CHUNK_SHIFT,
} from "./keys";
import { inputTs, inputKey, inputValue } from "./input";
import { windowsOut, lateOut, outputsReset } from "./output";
import { Writer, Reader } from "./serial";

/** Output mode: emit each window once, when it closes. */
export const MODE_APPEND: i32 = 0;
/** Output mode: after each batch, emit every open window that changed. */
export const MODE_UPDATE: i32 = 1;

/** Most pane slots per key the core accepts (bounds memory per key). */
export const MAX_RING: i32 = (1 << 16) + 1; // 65536 panes plus the guard pane

// ── configuration ─────────────────────────────────────────────────────────
let sizeMs: f64 = 60000;
let slideMs: f64 = 60000;
let paneMs: f64 = 60000;
let invPaneMs: f64 = 1.0 / 60000; // multiply instead of divide; paneOf corrects the rounding
let delayMs: f64 = 0;
let latenessMs: f64 = 0;
let panesPerWindow: i32 = 1;
let panesPerSlide: i32 = 1;
let mode: i32 = MODE_APPEND;

// ── running state ─────────────────────────────────────────────────────────
let maxTs: f64 = -Infinity; // max event time seen; -∞ before the first event
let nextClose: f64 = 0; // end of the oldest open window
let drained: bool = false; // flushed at end of input: every later event is late
const active = new I32List(); // keys with data in a live pane, in activation order
const dirty = new I32List(); // keys changed in this batch (update mode)

// ── counters (since start, carried across snapshots) ──────────────────────
let eventsTotal: f64 = 0;
let lateTotal: f64 = 0;
let invalidTotal: f64 = 0;
let windowsTotal: f64 = 0;

function gcd(a: i64, b: i64): i64 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function isWholeMs(x: f64): bool {
  return isFinite(x) && x == Math.floor(x);
}

/**
 * Configures windows and empties all state. Durations in ms: size and slide
 * positive whole ms with slide ≤ size; delay and lateness ≥ 0.
 */
export function windowConfigure(size: f64, slide: f64, delay: f64, lateness: f64, outputMode: i32): i32 {
  if (!isWholeMs(size) || size < 1 || size > 9.0e15) return E_WINDOW_SIZE;
  if (!isWholeMs(slide) || slide < 1 || slide > size) return E_WINDOW_SLIDE;
  if (!isFinite(delay) || delay < 0) return E_WINDOW_DELAY;
  if (!isFinite(lateness) || lateness < 0) return E_WINDOW_LATENESS;
  if (outputMode != MODE_APPEND && outputMode != MODE_UPDATE) return E_WINDOW_MODE;
  const pane = <f64>gcd(<i64>size, <i64>slide);
  // One pane more than the exact bound, because the close watermark
  // (max − delay − lateness) is rounded when the durations are fractional.
  const slots = Math.ceil((size + delay + lateness) / pane) + 1;
  if (slots > <f64>MAX_RING) return E_WINDOW_PANES;
  windowReset();
  sizeMs = size;
  slideMs = slide;
  paneMs = pane;
  invPaneMs = 1.0 / pane;
  delayMs = delay;
  latenessMs = lateness;
  panesPerWindow = <i32>(size / pane);
  panesPerSlide = <i32>(slide / pane);
  mode = outputMode;
  ringConfigure(<i32>slots);
  keysConfigure(<i32>slots, mode == MODE_UPDATE);
  return STATUS_OK;
}

/** Drops all keys, windows and counters; the configuration stays. */
export function windowReset(): void {
  keysReset();
  active.clear();
  dirty.clear();
  windowsOut.clear();
  lateOut.clear();
  maxTs = -Infinity;
  nextClose = 0;
  drained = false;
  ringRebase(0);
  eventsTotal = 0;
  lateTotal = 0;
  invalidTotal = 0;
  windowsTotal = 0;
}

/** Pane number of an event time: floor(ts / pane), exact at pane edges. */
@inline function paneOf(ts: f64): i64 {
  let p = <i64>Math.floor(ts * invPaneMs);
  const start = <f64>p * paneMs;
  if (start > ts) p--;
  else if (start + paneMs <= ts) p++;
  return p;
}

/** End of the first window that is still open at close-watermark `wm`. */
function firstOpenEnd(wm: f64): f64 {
  // ends are j·slide + size; the smallest one > wm
  let j = Math.floor((wm - sizeMs) / slideMs) + 1;
  let end = j * slideMs + sizeMs;
  if (end - slideMs > wm) end -= slideMs;
  else if (end <= wm) end += slideMs;
  return end;
}

/** Re-anchors the (empty) ring so that the oldest open window is the first one ending after `wm`. */
function anchorAt(wm: f64): void {
  nextClose = firstOpenEnd(wm);
  ringRebase(paneOf(nextClose - sizeMs));
}

/**
 * Folds the batch of `n` rows in the input columns into the windows, closing
 * windows as the watermark passes them. Returns the number of window records
 * written to the output.
 */
export function windowProcess(n: i32): i32 {
  outputsReset();
  const delay = delayMs;
  const lateness = latenessMs;
  // Hot globals live in locals for the loop (wasm globals are memory to the
  // engine); they are written back, or re-read after the rare calls that change them.
  let latest = maxTs;
  let table = chunkTable;
  let tableCap = chunkCap;
  let maxKey: i32 = -1;
  let accepted: i32 = 0;
  // The pane of the previous event: consecutive events mostly share it, so
  // its bounds and slot are reused instead of dividing again.
  let paneStart: f64 = Infinity;
  let paneEnd: f64 = -Infinity;
  let paneSlot: i32 = 0;
  let paneIsLate = false;
  for (let i = 0; i < n; i++) {
    const ts = load<f64>(inputTs + (<usize>i << 3));
    const k = load<i32>(inputKey + (<usize>i << 2));
    const x = load<f64>(inputValue + (<usize>i << 3));
    // The host validates rows; this guards embedders that fill columns themselves.
    if (!(ts - ts == 0) || !(x - x == 0) || k < 0) {
      invalidTotal++;
      continue;
    }
    if (ts > latest) {
      // (max event time − delay) − lateness, evaluated exactly as specified so
      // that fractional delays round the same way everywhere.
      const wm = ts - delay - lateness;
      if (latest == -Infinity) anchorAt(wm);
      latest = ts;
      if (wm >= nextClose) {
        closeUpTo(wm);
        paneStart = Infinity; // the ring moved: the cached slot is stale
      }
    }
    // The key's chunk: table lookup, allocating on first sight of a chunk.
    const c = k >> KEY_CHUNK_SHIFT;
    let chunk: usize = c < tableCap ? load<usize>(table + (<usize>c << alignof<usize>())) : 0;
    if (chunk == 0) {
      chunk = allocateChunk(k);
      table = chunkTable;
      tableCap = chunkCap;
    }
    if (k > maxKey) maxKey = k;
    if (!(ts >= paneStart && ts < paneEnd)) {
      const p = paneOf(ts);
      paneStart = <f64>p * paneMs;
      paneEnd = paneStart + paneMs;
      paneIsLate = p < ringBasePane || drained;
      paneSlot = paneIsLate ? 0 : ringSlot(p);
      // Unreachable by the ring's bound; kept so that no input can ever write outside a chunk.
      if (p - ringBasePane >= <i64>ringCap) {
        invalidTotal++;
        paneStart = Infinity;
        continue;
      }
    }
    if (paneIsLate) {
      recordLate(keyHeader(chunk, k), k, ts, x, i);
      continue;
    }
    const rec = paneRecord(chunk, k, paneSlot);
    if (load<f64>(rec, S_COUNT) == 0) {
      statsInit(rec, x);
      const header = keyHeader(chunk, k);
      const held = load<i32>(header, K_NONEMPTY);
      store<i32>(header, held + 1, K_NONEMPTY);
      if (held == 0) active.push(k);
    } else {
      statsAdd(rec, x);
    }
    if (mode == MODE_UPDATE) markDirty(keyHeader(chunk, k), k, paneSlot);
    accepted++;
  }
  maxTs = latest;
  keysCover(maxKey + 1);
  eventsTotal += <f64>accepted;
  if (mode == MODE_UPDATE) emitUpdates();
  return windowsOut.count;
}

function recordLate(header: usize, k: i32, ts: f64, x: f64, row: i32): void {
  store<f64>(header, load<f64>(header, K_LATE) + 1, K_LATE);
  lateTotal++;
  const rec = lateOut.next();
  store<f64>(rec, ts, <usize>L_TS << 3);
  store<f64>(rec, <f64>k, <usize>L_KEY << 3);
  store<f64>(rec, x, <usize>L_VALUE << 3);
  store<f64>(rec, <f64>row, <usize>L_ROW << 3);
}

@inline function markDirty(header: usize, k: i32, slot: i32): void {
  const word = header + K_DIRTY + (<usize>(slot >> 5) << 2);
  store<u32>(word, load<u32>(word) | (1 << (slot & 31)));
  if (load<i32>(header, K_LISTED) == 0) {
    store<i32>(header, 1, K_LISTED);
    dirty.push(k);
  }
}

@inline function isDirty(header: usize, slot: i32): bool {
  return (load<u32>(header + K_DIRTY + (<usize>(slot >> 5) << 2)) & (1 << (slot & 31))) != 0;
}

@inline function clearDirty(header: usize, slot: i32): void {
  const word = header + K_DIRTY + (<usize>(slot >> 5) << 2);
  store<u32>(word, load<u32>(word) & ~(1 << (slot & 31)));
}

/** Closes every window whose end ≤ `wm`, in order of end time. */
function closeUpTo(wm: f64): void {
  while (nextClose <= wm) {
    if (active.len == 0) {
      // Nothing is held: jump straight to the first window still open.
      anchorAt(wm);
      return;
    }
    closeOldest();
  }
}

/** Closes the oldest open window for every active key, then frees the panes no open window needs. */
function closeOldest(): void {
  const end = nextClose;
  const start = end - sizeMs;
  const base = ringBasePane;
  let kept = 0;
  for (let a = 0; a < active.len; a++) {
    const k = active.get(a);
    const chunk = keyChunk(k);
    const header = keyHeader(chunk, k);
    accReset();
    let changed = false;
    for (let j = 0; j < panesPerWindow; j++) {
      const slot = ringSlot(base + j);
      accMerge(paneRecord(chunk, k, slot));
      if (mode == MODE_UPDATE && isDirty(header, slot)) changed = true;
    }
    if (accN() > 0 && (mode == MODE_APPEND || changed)) emitWindow(k, start, end);
    let held = load<i32>(header, K_NONEMPTY);
    for (let j = 0; j < panesPerSlide; j++) {
      const slot = ringSlot(base + j);
      const rec = paneRecord(chunk, k, slot);
      if (load<f64>(rec, S_COUNT) != 0) {
        store<f64>(rec, 0, S_COUNT);
        held--;
      }
      if (mode == MODE_UPDATE) clearDirty(header, slot);
    }
    store<i32>(header, held, K_NONEMPTY);
    if (held > 0) active.set(kept++, k);
  }
  active.len = kept;
  nextClose = end + slideMs;
  ringAdvance(panesPerSlide);
}

@inline function emitWindow(k: i32, start: f64, end: f64): void {
  const rec = windowsOut.next();
  store<f64>(rec, <f64>k, <usize>W_KEY << 3);
  store<f64>(rec, start, <usize>W_START << 3);
  store<f64>(rec, end, <usize>W_END << 3);
  store<f64>(rec, accN(), <usize>W_COUNT << 3);
  store<f64>(rec, accSum(), <usize>W_SUM << 3);
  store<f64>(rec, accAvg(), <usize>W_AVG << 3);
  store<f64>(rec, accStddev(), <usize>W_STDDEV << 3);
  store<f64>(rec, accMinValue(), <usize>W_MIN << 3);
  store<f64>(rec, accMaxValue(), <usize>W_MAX << 3);
  windowsTotal++;
}

/** Update mode: emits every open window of every changed key that holds a changed pane. */
function emitUpdates(): void {
  const base = ringBasePane;
  const firstStart = nextClose - sizeMs;
  for (let d = 0; d < dirty.len; d++) {
    const k = dirty.get(d);
    const chunk = keyChunk(k);
    const header = keyHeader(chunk, k);
    store<i32>(header, 0, K_LISTED);
    if (load<i32>(header, K_NONEMPTY) == 0) continue;
    // Open windows start at the ring head and every slide after it, while they can hold live panes.
    for (let w = 0; w * panesPerSlide < ringCap; w++) {
      const first = w * panesPerSlide;
      let changed = false;
      accReset();
      for (let j = 0; j < panesPerWindow && first + j < ringCap; j++) {
        const slot = ringSlot(base + first + j);
        accMerge(paneRecord(chunk, k, slot));
        if (isDirty(header, slot)) changed = true;
      }
      if (changed && accN() > 0) {
        const start = firstStart + <f64>w * slideMs;
        emitWindow(k, start, start + sizeMs);
      }
    }
    memory.fill(header + K_DIRTY, 0, <usize>keyDirtyWords << 2);
  }
  dirty.len = 0;
}

/**
 * End of input: closes every open window (emitting them in append mode) as if
 * the watermark jumped to +∞. Every later event is late.
 */
export function windowFlush(): i32 {
  outputsReset();
  if (mode == MODE_UPDATE) emitUpdates();
  while (active.len > 0) closeOldest();
  drained = true;
  return windowsOut.count;
}

/** Watermark (max event time − delay) in epoch ms; -∞ before the first event. */
export function windowWatermark(): f64 {
  return drained ? Infinity : maxTs - delayMs;
}

/** Events folded into windows since start. */
export function windowEventsTotal(): f64 { return eventsTotal; }
/** Late events since start. */
export function windowLateTotal(): f64 { return lateTotal; }
/** Rows the core itself rejected (non-finite time or value, negative key) since start. */
export function windowInvalidTotal(): f64 { return invalidTotal; }
/** Window records emitted since start. */
export function windowEmittedTotal(): f64 { return windowsTotal; }
/** Keys holding data in an open window. */
export function windowActiveKeys(): i32 { return active.len; }

/** Late events counted for key `k`. */
export function windowKeyLate(k: i32): f64 {
  const chunk = keyChunkIfAllocated(k);
  return chunk == 0 ? 0 : load<f64>(keyHeader(chunk, k), K_LATE);
}

// ── snapshot ──────────────────────────────────────────────────────────────

// The configuration before a load, put back if the load fails.
let savedSize: f64 = 60000;
let savedSlide: f64 = 60000;
let savedDelay: f64 = 0;
let savedLateness: f64 = 0;
let savedMode: i32 = MODE_APPEND;

/** Writes the configuration and all window state. */
export function windowSave(w: Writer): void {
  w.f64(sizeMs); w.f64(slideMs); w.f64(delayMs); w.f64(latenessMs); w.i32(mode);
  w.f64(maxTs); w.f64(nextClose); w.i32(drained ? 1 : 0);
  w.i64(ringBasePane); w.i32(ringBaseSlot);
  w.f64(eventsTotal); w.f64(lateTotal); w.f64(invalidTotal); w.f64(windowsTotal);
  w.i32(keyCount);
  w.i32(active.len);
  for (let a = 0; a < active.len; a++) w.i32(active.get(a));
  w.i32(dirty.len);
  for (let d = 0; d < dirty.len; d++) w.i32(dirty.get(d));
  // Per key: its header fields; its pane records and dirty bits only when it holds data.
  for (let k = 0; k < keyCount; k++) {
    const chunk = keyChunkIfAllocated(k);
    if (chunk == 0) {
      w.i32(-1);
      continue;
    }
    const header = keyHeader(chunk, k);
    const held = load<i32>(header, K_NONEMPTY);
    const listed = load<i32>(header, K_LISTED);
    w.i32(held);
    w.i32(listed);
    w.f64(load<f64>(header, K_LATE));
    if (held > 0 || listed != 0) {
      for (let slot = 0; slot < ringCap; slot++) w.bytes(paneRecord(chunk, k, slot), STATS_BYTES);
      w.bytes(header + K_DIRTY, <usize>keyDirtyWords << 2);
    }
  }
}

/** Bytes of one key's pane records and dirty bits in a snapshot. */
function keySnapshotBytes(): f64 {
  return <f64>ringCap * <f64>STATS_BYTES + <f64>(keyDirtyWords << 2);
}

/** Upper bound of the bytes windowSave writes. */
export function windowSaveBound(): f64 {
  let bound: f64 = 128 + 4 * <f64>(active.len + dirty.len);
  bound += <f64>keyCount * 16;
  bound += <f64>(active.len + dirty.len) * keySnapshotBytes();
  return bound;
}

/**
 * Reads state written by windowSave; returns false on malformed input. On
 * false the caller calls windowLoadFailed(), which empties the state and
 * puts back the configuration the core had before.
 *
 * Besides reading, it checks the invariants the hot loop relies on for
 * memory safety (ring head = first pane of the oldest open window, no event
 * time past the open windows, active list = keys holding panes), so a
 * corrupted snapshot with a valid header is refused instead of writing
 * outside its chunks.
 */
export function windowLoad(r: Reader): bool {
  savedSize = sizeMs; savedSlide = slideMs; savedDelay = delayMs; savedLateness = latenessMs; savedMode = mode;
  const size = r.f64(), slide = r.f64(), delay = r.f64(), lateness = r.f64();
  const outputMode = r.i32();
  if (!r.ok || windowConfigure(size, slide, delay, lateness, outputMode) != STATUS_OK) return false;
  maxTs = r.f64(); nextClose = r.f64(); drained = r.i32() != 0;
  const basePane = r.i64();
  const baseSlot = r.i32();
  if (!r.ok || baseSlot < 0 || baseSlot >= ringCap) return false;
  if (!drained && maxTs != -Infinity) {
    if (!(isFinite(maxTs) && isFinite(nextClose))) return false;
    if (!(maxTs - delayMs - latenessMs < nextClose)) return false; // a window that should be closed is open
    if (paneOf(nextClose - sizeMs) != basePane) return false; // ring head ≠ oldest open window
    if (nextClose - sizeMs != Math.floor((nextClose - sizeMs) / slideMs) * slideMs) return false; // not a window start
  }
  ringRestore(ringCap, basePane, baseSlot);
  eventsTotal = r.f64(); lateTotal = r.f64(); invalidTotal = r.f64(); windowsTotal = r.f64();
  const count = r.i32();
  if (!r.ok || count < 0) return false;
  const activeLen = r.i32();
  if (!r.ok || activeLen < 0 || activeLen > count) return false;
  active.reserve(activeLen);
  for (let a = 0; a < activeLen; a++) {
    const k = r.i32();
    if (k < 0 || k >= count) return false;
    active.push(k);
  }
  const dirtyLen = r.i32();
  if (!r.ok || dirtyLen < 0 || dirtyLen > count) return false;
  dirty.reserve(dirtyLen);
  for (let d = 0; d < dirtyLen; d++) {
    const k = r.i32();
    if (k < 0 || k >= count) return false;
    dirty.push(k);
  }
  let keysHolding = 0;
  for (let k = 0; k < count; k++) {
    const held = r.i32();
    if (!r.ok || held < -1 || held > ringCap) return false;
    if (held == -1) continue;
    const chunk = keyChunk(k);
    const header = keyHeader(chunk, k);
    store<i32>(header, held, K_NONEMPTY);
    const listed = r.i32();
    store<i32>(header, listed, K_LISTED);
    store<f64>(header, r.f64(), K_LATE);
    if (held > 0 || listed != 0) {
      for (let slot = 0; slot < ringCap; slot++) r.bytes(paneRecord(chunk, k, slot), STATS_BYTES);
      r.bytes(header + K_DIRTY, <usize>keyDirtyWords << 2);
    }
    if (!r.ok) return false;
    // held must be the number of panes with data, and no pane count may be negative or fractional
    let panes = 0;
    for (let slot = 0; slot < ringCap; slot++) {
      const c = load<f64>(paneRecord(chunk, k, slot), S_COUNT);
      if (!(c >= 0 && c == Math.floor(c))) return false;
      if (c > 0) panes++;
    }
    if (panes != held) return false;
    if (held > 0) keysHolding++;
  }
  keysRestoreCount(count);
  // The active list must be exactly the keys holding panes: each active key
  // holds some (marked by negating its count, which also catches duplicates),
  // and there are as many active keys as keys holding panes.
  if (active.len != keysHolding) return false;
  let valid = true;
  let marked = 0;
  for (; marked < active.len; marked++) {
    const k = active.get(marked);
    const chunk = keyChunkIfAllocated(k);
    if (chunk == 0 || load<i32>(keyHeader(chunk, k), K_NONEMPTY) <= 0) {
      valid = false;
      break;
    }
    const header = keyHeader(chunk, k);
    store<i32>(header, -load<i32>(header, K_NONEMPTY), K_NONEMPTY);
  }
  for (let a = 0; a < marked; a++) {
    const k = active.get(a);
    const header = keyHeader(keyChunkIfAllocated(k), k);
    store<i32>(header, -load<i32>(header, K_NONEMPTY), K_NONEMPTY);
  }
  return valid;
}

/** Empties the state after a failed load and restores the configuration from before it. */
export function windowLoadFailed(): void {
  windowConfigure(savedSize, savedSlide, savedDelay, savedLateness, savedMode);
}

