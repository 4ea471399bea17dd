/**
 * Per-key state, in chunks of 1024 key ids allocated as ids appear, so state
 * grows with the keys and never moves.
 *
 * A chunk is slot-major: for each pane slot, the stats records of its 1024
 * keys side by side, then the keys' headers. Events of one moment fall into
 * the same pane slot for every key, so the records being written are 48 bytes
 * apart rather than a whole key's state apart: the working set is one slot's
 * records (48 bytes × keys), which stays in cache for tens of thousands of keys.
 *
 * Chunk (`chunkBytes`):
 *
 * ┌──────────────────────────────┬──────────────────────────────┬─────┬──────────────────────────────┐
 * │ slot 0: stats of keys 0…1023 │ slot 1: stats of keys 0…1023 │ ... │ headers of keys 0…1023       │
 * └──────────────────────────────┴──────────────────────────────┴─────┴──────────────────────────────┘
 *   each slot is 1024 × 48 bytes (welford.ts)                          each `headerStride` bytes
 *
 * Key header:
 *
 * ┌──────────────┬────────────┬───────────────┬────────────────┐
 * │ nonEmpty i32 │ listed i32 │ lateCount f64 │ dirty bits u32 │
 * └──────────────┴────────────┴───────────────┴────────────────┘
 *   0              4            8               16
 *
 * nonEmpty  pane slots holding data (0 ⇒ the key is not in the active list)
 * listed    1 while the key is in this batch's dirty list (update mode)
 * lateCount events of this key that arrived after all their windows closed
 * dirty     one bit per pane slot changed since the last update emission (update mode only)
 *
 * Chunk table: usize pointers, one per 1024 key ids; 0 = not allocated yet.
 */
import { STATS_BYTES } from "./welford";
import { allocZeroed, growZeroed, release } from "./buffers";

/** Byte offsets inside a key header. */
export const K_NONEMPTY: usize = 0;
export const K_LISTED: usize = 4;
export const K_LATE: usize = 8;
export const K_DIRTY: usize = 16;

const CHUNK_SHIFT: i32 = 10;
const CHUNK_MASK: i32 = (1 << CHUNK_SHIFT) - 1;
/** Key ids per chunk. */
export const CHUNK_KEYS: i32 = 1 << CHUNK_SHIFT;
/** Bytes between two pane slots of one key (a slot's records for the whole chunk). */
export const SLOT_STRIDE: usize = <usize>CHUNK_KEYS * STATS_BYTES;

/** Pane slots per key. */
export let keySlots: i32 = 1;
/** Bytes per key header. */
export let headerStride: usize = K_DIRTY;
/** u32 words of dirty bits per key (0 in append mode). */
export let keyDirtyWords: i32 = 0;
/** Offset of the headers inside a chunk. */
export let headersOffset: usize = SLOT_STRIDE;
/** Bytes per chunk. */
export let chunkBytes: usize = SLOT_STRIDE + <usize>CHUNK_KEYS * K_DIRTY;
/** Highest key id seen + 1. */
export let keyCount: i32 = 0;
/** Address of the chunk table (usize per 1024 ids); moves when it grows. */
export let chunkTable: usize = 0;
/** Entries in the chunk table. */
export let chunkCap: i32 = 0;

/** Shift from key id to chunk index. */
export const KEY_CHUNK_SHIFT: i32 = CHUNK_SHIFT;
/** Mask from key id to its index within the chunk. */
export const KEY_CHUNK_MASK: i32 = CHUNK_MASK;

/** Sets the layout for `paneSlots` slots per key; call on an empty key store. */
export function keysConfigure(paneSlots: i32, withDirtyBits: bool): void {
  keySlots = paneSlots;
  keyDirtyWords = withDirtyBits ? (paneSlots + 31) >> 5 : 0;
  headerStride = (K_DIRTY + (<usize>keyDirtyWords << 2) + 7) & ~7;
  headersOffset = <usize>paneSlots * SLOT_STRIDE;
  chunkBytes = headersOffset + <usize>CHUNK_KEYS * headerStride;
}

/** Bytes of state per key: its pane slots and its header. */
export function keyBytes(): usize {
  return <usize>keySlots * STATS_BYTES + headerStride;
}

/** Address of the chunk holding key `k`, allocating it on first use. */
@inline export function keyChunk(k: i32): usize {
  const chunk = k >> CHUNK_SHIFT;
  if (chunk < chunkCap) {
    const base = load<usize>(chunkTable + (<usize>chunk << alignof<usize>()));
    if (base != 0) return base;
  }
  return allocateChunk(k);
}

/** Address of the chunk holding key `k`, or 0 when it was never allocated. */
export function keyChunkIfAllocated(k: i32): usize {
  const chunk = k >> CHUNK_SHIFT;
  if (chunk >= chunkCap) return 0;
  return load<usize>(chunkTable + (<usize>chunk << alignof<usize>()));
}

/** Header of key `k` in its chunk. */
@inline export function keyHeader(chunk: usize, k: i32): usize {
  return chunk + headersOffset + <usize>(k & CHUNK_MASK) * headerStride;
}

/** Stats record of key `k`'s pane slot `slot` in its chunk. */
@inline export function paneRecord(chunk: usize, k: i32, slot: i32): usize {
  return chunk + <usize>slot * SLOT_STRIDE + <usize>(k & CHUNK_MASK) * STATS_BYTES;
}

/** Slow path of keyChunk: grows the chunk table and allocates the chunk (zeroed); notes the key id. */
export function allocateChunk(k: i32): usize {
  const chunk = k >> CHUNK_SHIFT;
  if (chunk >= chunkCap) {
    let cap = chunkCap < 16 ? 16 : chunkCap;
    while (cap <= chunk) cap <<= 1;
    chunkTable = growZeroed(chunkTable, <usize>chunkCap << alignof<usize>(), <usize>cap << alignof<usize>());
    chunkCap = cap;
  }
  const slot = chunkTable + (<usize>chunk << alignof<usize>());
  let base = load<usize>(slot);
  if (base == 0) {
    base = allocZeroed(chunkBytes);
    store<usize>(slot, base);
  }
  if (k >= keyCount) keyCount = k + 1;
  return base;
}

/** Frees every chunk and forgets all keys. */
export function keysReset(): void {
  for (let c = 0; c < chunkCap; c++) release(load<usize>(chunkTable + (<usize>c << alignof<usize>())));
  chunkTable = release(chunkTable);
  chunkCap = 0;
  keyCount = 0;
}

/** Bytes of key state currently allocated. */
export function keysAllocatedBytes(): f64 {
  let chunks = 0;
  for (let c = 0; c < chunkCap; c++) if (load<usize>(chunkTable + (<usize>c << alignof<usize>())) != 0) chunks++;
  return <f64>chunks * <f64>chunkBytes;
}

/** Raises the highest-id bookkeeping to cover ids below `count` (hot loops track their max id locally). */
export function keysCover(count: i32): void {
  if (count > keyCount) keyCount = count;
}

/** Sets the highest-id bookkeeping when restoring. */
export function keysRestoreCount(count: i32): void {
  keyCount = count;
}
