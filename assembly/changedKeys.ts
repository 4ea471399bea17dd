/**
 * The keys whose state changed since the last checkpoint took them, so an
 * incremental checkpoint serialises those keys only (snapshot.ts).
 *
 * Off until the host turns it on (a query without checkpoints pays nothing).
 * On, every kernel entry marks the keys it touches: the batch marks each
 * input row's key (windows, late counts, the events stage, patterns), a
 * window close marks each key it visits (panes freed, a window emitted),
 * the windows stage marks the key of every window it scores. A mark is one
 * bit test per row; the set is a bitmap over key ids, read in ascending id
 * order (the order of key records in a snapshot).
 */
import { growZeroed, release } from "./buffers";

/** True while changes are tracked. */
export let trackingChanges: bool = false;
let changedCount: i32 = 0;
let bits: usize = 0;
let bitWords: i32 = 0;

/** Turns tracking on or off; either way the set starts empty. */
export function trackChanges(on: bool): void {
  trackingChanges = on;
  changedKeysClear();
}

/** Marks key `k` (≥ 0) as changed. */
@inline export function markChanged(k: i32): void {
  const word = k >> 5;
  if (word >= bitWords) growBits(word);
  const at = bits + (<usize>word << 2);
  const w = load<u32>(at);
  const bit: u32 = 1 << (k & 31);
  if ((w & bit) == 0) {
    store<u32>(at, w | bit);
    changedCount++;
  }
}

function growBits(word: i32): void {
  let words = bitWords < 64 ? 64 : bitWords;
  while (words <= word) words <<= 1;
  bits = growZeroed(bits, <usize>bitWords << 2, <usize>words << 2);
  bitWords = words;
}

/** Keys changed since the last clear. */
export function changedKeysCount(): i32 {
  return changedCount;
}

/** Words of the bitmap (32 key ids each, word w covers ids 32w … 32w + 31). */
export function changedWords(): i32 {
  return bitWords;
}

/** Word `w` of the bitmap (below changedWords()). */
@inline export function changedWord(w: i32): u32 {
  return load<u32>(bits + (<usize>w << 2));
}

/** Forgets every change (after a checkpoint took them, or a restore). */
export function changedKeysClear(): void {
  bits = release(bits);
  bitWords = 0;
  changedCount = 0;
}
