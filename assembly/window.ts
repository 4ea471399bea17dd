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
import { trackingChanges, markChanged } from "./changedKeys";

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
  const tracking = trackingChanges;
  for (let a = 0; a < active.len; a++) {
    const k = active.get(a);
    // closing frees this key's oldest panes (and may emit a window the windows stage scores)
    if (tracking) markChanged(k);
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

/**
 * Writes the configuration and the partition-wide window state: the
 * watermark and ring position, the counters, the number of key ids and the
 * active keys in activation order (the order windows are emitted in). Each
 * key's own part travels in its key record (windowKeySave). Between batches
 * the update-mode dirty list and bits are always empty (emitUpdates clears
 * them), so they are not saved.
 */
export function windowSaveConfig(w: Writer): void {
  w.f64(sizeMs); w.f64(slideMs); w.f64(delayMs); w.f64(latenessMs); w.i32(mode);
  w.f64(maxTs); w.f64(nextClose); w.i32(drained ? 1 : 0);
  w.i64(ringBasePane); w.i32(ringBaseSlot);
  w.f64(eventsTotal); w.f64(lateTotal); w.f64(invalidTotal); w.f64(windowsTotal);
  w.i32(keyCount);
  w.i32(active.len);
  for (let a = 0; a < active.len; a++) w.i32(active.get(a));
}

/** Upper bound of the bytes windowSaveConfig writes. */
export function windowConfigBound(): f64 {
  return 128 + 4 * <f64>active.len;
}

/** True when key `k` holds window state: panes with data or a late count. */
export function windowKeyHeld(k: i32): bool {
  const chunk = keyChunkIfAllocated(k);
  if (chunk == 0) return false;
  const header = keyHeader(chunk, k);
  return load<i32>(header, K_NONEMPTY) > 0 || load<f64>(header, K_LATE) != 0;
}

/** Bytes windowKeySave writes for key `k` (which holds window state). */
export function windowKeyBound(k: i32): f64 {
  const held = load<i32>(keyHeader(keyChunkIfAllocated(k), k), K_NONEMPTY);
  return 12 + <f64>held * <f64>(4 + STATS_BYTES);
}

/**
 * Writes key `k`'s window part: its late count and its panes with data as
 * (slot, stats) pairs, slots ascending. Empty panes are not written (a pane
 * with count 0 is empty whatever its other bytes hold), so a snapshot is the
 * same bytes for the same windows.
 */
export function windowKeySave(w: Writer, k: i32): void {
  const chunk = keyChunkIfAllocated(k);
  const header = keyHeader(chunk, k);
  const held = load<i32>(header, K_NONEMPTY);
  w.i32(held);
  w.f64(load<f64>(header, K_LATE));
  for (let slot = 0; slot < ringCap; slot++) {
    const rec = paneRecord(chunk, k, slot);
    if (load<f64>(rec, S_COUNT) == 0) continue;
    w.i32(slot);
    w.bytes(rec, STATS_BYTES);
  }
}

// The configuration before a load, put back if the load fails.
let savedSize: f64 = 60000;
let savedSlide: f64 = 60000;
let savedDelay: f64 = 0;
let savedLateness: f64 = 0;
let savedMode: i32 = MODE_APPEND;
let keysHolding: i32 = 0;

/**
 * Reads what windowSaveConfig wrote; returns false on malformed input. On
 * false the caller calls windowLoadFailed(), which empties the state and
 * puts back the configuration the core had before. The keys follow
 * (windowKeyLoad), then windowLoadFinish checks them against the active list.
 *
 * Besides reading, it checks the invariants the hot loop relies on for
 * memory safety (ring head = first pane of the oldest open window, no event
 * time past the open windows), so a corrupted snapshot with a valid header
 * is refused instead of writing outside its chunks.
 */
export function windowLoadConfig(r: Reader): bool {
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
  keysRestoreCount(count);
  keysHolding = 0;
  return r.ok;
}

/**
 * Reads key `k`'s window part (windowKeySave) into a core whose config
 * windowLoadConfig just read: `k` below the key count, slots ascending and
 * inside the ring, pane counts positive whole numbers, as many as `held`.
 */
export function windowKeyLoad(r: Reader, k: i32): bool {
  const held = r.i32();
  const late = r.f64();
  if (!r.ok || k >= keyCount || held < 0 || held > ringCap || !(late >= 0)) return false;
  const chunk = keyChunk(k);
  const header = keyHeader(chunk, k);
  store<i32>(header, held, K_NONEMPTY);
  store<f64>(header, late, K_LATE);
  let previous = -1;
  for (let i = 0; i < held; i++) {
    const slot = r.i32();
    if (!r.ok || slot <= previous || slot >= ringCap) return false;
    previous = slot;
    const rec = paneRecord(chunk, k, slot);
    r.bytes(rec, STATS_BYTES);
    const c = load<f64>(rec, S_COUNT);
    if (!r.ok || !(c >= 1 && c == Math.floor(c))) return false;
  }
  if (held > 0) keysHolding++;
  return true;
}

/**
 * After every key: the active list must be exactly the keys holding panes.
 * Each active key holds some (marked by negating its count, which also
 * catches duplicates), and there are as many active keys as keys holding panes.
 */
export function windowLoadFinish(): bool {
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

