/**
 * Per-key state: one fixed-size block per key id, allocated in chunks of
 * 1024 keys as ids appear, so state grows with the keys and never moves.
 *
 * Key block (`keyStride` bytes):
 *
 * ┌──────────────┬────────────┬───────────────┬──────────────────────────┬────────────────┐
 * │ nonEmpty i32 │ listed i32 │ lateCount f64 │ pane slots: cap × stats  │ dirty bits u32 │
 * └──────────────┴────────────┴───────────────┴──────────────────────────┴────────────────┘
 *   0              4            8               16                         16 + 48·cap
 *
 * nonEmpty  panes of the ring holding data (0 ⇒ the key is not in the active list)
 * listed    1 while the key is in this batch's dirty list (update mode)
 * lateCount events of this key that arrived after all their windows closed
 * dirty     one bit per pane slot changed since the last update emission (update mode only)
 *
 * Chunk table: usize pointers, one per 1024 key ids; 0 = not allocated yet.
 */
import { STATS_BYTES } from "./welford";
import { allocZeroed, growZeroed, release } from "./buffers";

/** Byte offsets inside a key block. */
export const K_NONEMPTY: usize = 0;
export const K_LISTED: usize = 4;
export const K_LATE: usize = 8;
export const K_PANES: usize = 16;

const CHUNK_SHIFT: i32 = 10;
const CHUNK_MASK: i32 = (1 << CHUNK_SHIFT) - 1;
/** Key ids per chunk. */
export const CHUNK_KEYS: i32 = 1 << CHUNK_SHIFT;

/** Bytes per key block. */
export let keyStride: usize = K_PANES;
/** Offset of the dirty bits inside a key block. */
export let keyDirtyOffset: usize = K_PANES;
/** u32 words of dirty bits per key (0 in append mode). */
export let keyDirtyWords: i32 = 0;
/** Highest key id seen + 1. */
export let keyCount: i32 = 0;

/** Address of the chunk table (usize per 1024 ids); moves when it grows. */
export let chunkTable: usize = 0;
/** Entries in the chunk table. */
export let chunkCap: i32 = 0;

/** Sets the block layout for `paneSlots` panes per key; call on an empty key store. */
export function keysConfigure(paneSlots: i32, withDirtyBits: bool): void {
  keyDirtyOffset = K_PANES + <usize>paneSlots * STATS_BYTES;
  keyDirtyWords = withDirtyBits ? (paneSlots + 31) >> 5 : 0;
  keyStride = (keyDirtyOffset + (<usize>keyDirtyWords << 2) + 7) & ~7;
}

/** Shift from key id to chunk index. */
export const KEY_CHUNK_SHIFT: i32 = CHUNK_SHIFT;
/** Mask from key id to index within its chunk. */
export const KEY_CHUNK_MASK: i32 = CHUNK_MASK;

/** Address of key `k`'s block, allocating its chunk on first use. */
@inline export function keyBlock(k: i32): usize {
  const chunk = k >> CHUNK_SHIFT;
  if (chunk < chunkCap) {
    const base = load<usize>(chunkTable + (<usize>chunk << alignof<usize>()));
    if (base != 0) {
      if (k >= keyCount) keyCount = k + 1;
      return base + <usize>(k & CHUNK_MASK) * keyStride;
    }
  }
  return allocateKey(k);
}

/** Address of key `k`'s block, or 0 when its chunk was never allocated. */
export function keyBlockIfAllocated(k: i32): usize {
  const chunk = k >> CHUNK_SHIFT;
  if (chunk >= chunkCap) return 0;
  const base = load<usize>(chunkTable + (<usize>chunk << alignof<usize>()));
  return base == 0 ? 0 : base + <usize>(k & CHUNK_MASK) * keyStride;
}

/** Slow path of keyBlock: grows the chunk table and allocates the chunk. */
export function allocateKey(k: i32): usize {
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
    base = allocZeroed(<usize>CHUNK_KEYS * keyStride);
    store<usize>(slot, base);
  }
  if (k >= keyCount) keyCount = k + 1;
  return base + <usize>(k & CHUNK_MASK) * keyStride;
}

/** Frees every key block and forgets all keys. */
export function keysReset(): void {
  for (let c = 0; c < chunkCap; c++) release(load<usize>(chunkTable + (<usize>c << alignof<usize>())));
  chunkTable = release(chunkTable);
  chunkCap = 0;
  keyCount = 0;
}

/** Bytes of key state currently allocated (chunks × keys per chunk × stride). */
export function keysAllocatedBytes(): f64 {
  let chunks = 0;
  for (let c = 0; c < chunkCap; c++) if (load<usize>(chunkTable + (<usize>c << alignof<usize>())) != 0) chunks++;
  return <f64>chunks * <f64>CHUNK_KEYS * <f64>keyStride;
}

/** Raises the highest-id bookkeeping to cover ids below `count` (hot loops track their max id locally). */
export function keysCover(count: i32): void {
  if (count > keyCount) keyCount = count;
}

/** Sets the highest-id bookkeeping when restoring. */
export function keysRestoreCount(count: i32): void {
  keyCount = count;
}
