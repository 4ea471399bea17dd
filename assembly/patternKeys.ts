/**
 * Per-key state of the sequence patterns (patterns.ts), one record per key in
 * a KeyedBlocks store (keyed.ts): allocated as ids appear, never moving.
 *
 * Kept apart from the window's key store (keys.ts), whose layout is sized by
 * the pane ring: either feature runs without paying for the other, and a
 * pipeline without patterns never allocates any of this.
 *
 * Key record, `patternKeyBytes` = 16 + 16 × patterns:
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
 */
import { release } from "./buffers";
import { KeyedBlocks } from "./keyed";

/** Byte offsets inside a key record. */
export const R_SEQ: usize = 0;
export const R_CLOCK: usize = 8;
export const R_LISTS: usize = 16;
/** Bytes per list slot, and offsets inside one. */
export const LIST_BYTES: usize = 16;
export const L_BLOCK: usize = 0;
export const L_N: usize = 8;
export const L_CAP: usize = 12;

/** Patterns per key record (list slots). */
let listsPerKey: i32 = 0;
/** Bytes per key record. */
export let patternKeyBytes: usize = R_LISTS;
/** The key records, in the analytics kernels' chunked store (zeroed: seq 0, empty lists). */
const records = new KeyedBlocks();

/** Highest key id with a record + 1. */
export function patternKeyCount(): i32 {
  return records.count;
}

/** Sets the record layout for `patterns` list slots; frees every key first. */
export function patternKeysConfigure(patterns: i32): void {
  patternKeysReset();
  listsPerKey = patterns;
  patternKeyBytes = R_LISTS + <usize>patterns * LIST_BYTES;
  records.configure(patternKeyBytes);
}

/** Record of key `k`, allocated (zeroed) on first use. */
@inline export function patternKeyRecord(k: i32): usize {
  return records.block(k);
}

/** Record of key `k`, or 0 when it was never allocated. */
export function patternKeyRecordIfAllocated(k: i32): usize {
  return records.blockIfAllocated(k);
}

/** List slot of pattern `p` in a key record. */
@inline export function listSlot(record: usize, p: i32): usize {
  return record + R_LISTS + <usize>p * LIST_BYTES;
}

/** Frees every partial-match block and key record and forgets all keys. */
export function patternKeysReset(): void {
  for (let k = 0; k < records.count; k++) {
    const record = records.blockIfAllocated(k);
    if (record == 0) continue;
    for (let p = 0; p < listsPerKey; p++) release(load<usize>(listSlot(record, p), L_BLOCK));
  }
  records.reset();
}

/** Bytes of pattern key records allocated (not counting the partial-match blocks). */
export function patternKeysAllocatedBytes(): f64 {
  return records.allocatedBytes();
}
