/**
 * Per-key state of the sequence patterns (patterns.ts), in chunks of 1024 key
 * ids allocated as ids appear, so state grows with the keys and never moves.
 *
 * Kept apart from the window's key store (keys.ts), whose layout is sized by
 * the pane ring: either feature runs without paying for the other, and a
 * pipeline without patterns never allocates any of this.
 *
 * Chunk: 1024 key records side by side, `patternKeyBytes` = 16 + 16 × patterns each.
 *
 * ┌─────────┬───────────┬──────────────────────┬─────┬──────────────────────────┐
 * │ seq f64 │ clock f64 │ partials of pattern 0│ ... │ partials of pattern P−1  │
 * └─────────┴───────────┴──────────────────────┴─────┴──────────────────────────┘
 *   0         8           16                          16 + 16 × (P − 1)
 *
 * seq    typed events of the key so far; 0 = never seen (then clock means nothing)
 * clock  max event time of the key's typed events so far (the key's own clock)
 *
 * Partials of one pattern (a list slot):
 *
 * ┌──────────────────┬───────┬─────────┐
 * │ block usize      │ n i32 │ cap i32 │   block holds cap partial entries (layout in
 * └──────────────────┴───────┴─────────┘   patterns.ts), n of them live; 0 until needed
 *   0 (8 bytes)        8       12
 *
 * Chunk table: usize pointers, one per 1024 key ids; 0 = not allocated yet.
 */
import { allocZeroed, growZeroed, release } from "./buffers";

/** Byte offsets inside a key record. */
export const R_SEQ: usize = 0;
export const R_CLOCK: usize = 8;
export const R_LISTS: usize = 16;
/** Bytes per list slot, and offsets inside one. */
export const LIST_BYTES: usize = 16;
export const L_BLOCK: usize = 0;
export const L_N: usize = 8;
export const L_CAP: usize = 12;

const CHUNK_SHIFT: i32 = 10;
const CHUNK_MASK: i32 = (1 << CHUNK_SHIFT) - 1;
const CHUNK_KEYS: i32 = 1 << CHUNK_SHIFT;
/** Mask from key id to its index within its chunk. */
export const CHUNK_KEY_MASK: i32 = CHUNK_MASK;

/** Patterns per key record (list slots). */
let listsPerKey: i32 = 0;
/** Bytes per key record. */
export let patternKeyBytes: usize = R_LISTS;
/** Highest key id with a record + 1. */
export let patternKeyCount: i32 = 0;
let table: usize = 0;
let tableCap: i32 = 0;

/** Sets the record layout for `patterns` list slots; frees every key first. */
export function patternKeysConfigure(patterns: i32): void {
  patternKeysReset();
  listsPerKey = patterns;
  patternKeyBytes = R_LISTS + <usize>patterns * LIST_BYTES;
}

/** Record of key `k`, allocating its chunk (zeroed: seq 0, empty lists) on first use. */
@inline export function patternKeyRecord(k: i32): usize {
  const c = k >> CHUNK_SHIFT;
  let chunk: usize = c < tableCap ? load<usize>(table + (<usize>c << alignof<usize>())) : 0;
  if (chunk == 0) chunk = allocateChunk(k);
  return chunk + <usize>(k & CHUNK_MASK) * patternKeyBytes;
}

/** Record of key `k`, or 0 when its chunk was never allocated. */
export function patternKeyRecordIfAllocated(k: i32): usize {
  const c = k >> CHUNK_SHIFT;
  if (c >= tableCap) return 0;
  const chunk = load<usize>(table + (<usize>c << alignof<usize>()));
  return chunk == 0 ? 0 : chunk + <usize>(k & CHUNK_MASK) * patternKeyBytes;
}

/** List slot of pattern `p` in a key record. */
@inline export function listSlot(record: usize, p: i32): usize {
  return record + R_LISTS + <usize>p * LIST_BYTES;
}

function allocateChunk(k: i32): usize {
  const c = k >> CHUNK_SHIFT;
  if (c >= tableCap) {
    let cap = tableCap < 16 ? 16 : tableCap;
    while (cap <= c) cap <<= 1;
    table = growZeroed(table, <usize>tableCap << alignof<usize>(), <usize>cap << alignof<usize>());
    tableCap = cap;
  }
  const at = table + (<usize>c << alignof<usize>());
  let chunk = load<usize>(at);
  if (chunk == 0) {
    chunk = allocZeroed(<usize>CHUNK_KEYS * patternKeyBytes);
    store<usize>(at, chunk);
  }
  return chunk;
}

/** Frees every partial-match block and chunk and forgets all keys. */
export function patternKeysReset(): void {
  for (let c = 0; c < tableCap; c++) {
    const chunk = load<usize>(table + (<usize>c << alignof<usize>()));
    if (chunk == 0) continue;
    for (let i = 0; i < CHUNK_KEYS; i++) {
      const record = chunk + <usize>i * patternKeyBytes;
      for (let p = 0; p < listsPerKey; p++) release(load<usize>(listSlot(record, p), L_BLOCK));
    }
    release(chunk);
  }
  table = release(table);
  tableCap = 0;
  patternKeyCount = 0;
}

/** Bytes of pattern key records allocated (not counting the partial-match blocks). */
export function patternKeysAllocatedBytes(): f64 {
  let chunks = 0;
  for (let c = 0; c < tableCap; c++) if (load<usize>(table + (<usize>c << alignof<usize>())) != 0) chunks++;
  return <f64>chunks * <f64>CHUNK_KEYS * <f64>patternKeyBytes;
}

/** Raises the highest-id bookkeeping to cover ids below `count` (the hot loop tracks its max id locally). */
export function patternKeysCover(count: i32): void {
  if (count > patternKeyCount) patternKeyCount = count;
}
