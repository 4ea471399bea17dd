/**
 * The pane ring: a fixed-capacity ring buffer of pane slots, indexed by
 * absolute pane number.
 *
 * Every key owns `ringCap` pane slots (a typed f64 array inside its key block,
 * see keys.ts). All keys share one mapping from pane number to slot, because
 * the live range of panes is the same for every key: it starts at the first
 * pane of the oldest open window and spans at most `ringCap` panes (the window
 * size plus the watermark delay plus the allowed lateness). Advancing the
 * ring when a window closes is O(1); the slots it frees are cleared by the
 * caller, which visits them anyway to emit the closing window.
 *
 *   pane number:  base  base+1  ...  base+cap-1
 *   slot:         head  head+1  ...  (mod cap)
 */

/** Number of slots per key. */
export let ringCap: i32 = 1;
/** Absolute number of the oldest live pane (the ring's head). */
export let ringBasePane: i64 = 0;
/** Slot that holds `ringBasePane`. */
export let ringBaseSlot: i32 = 0;

/** Sets the capacity and empties the mapping. */
export function ringConfigure(capacity: i32): void {
  ringCap = capacity;
  ringBasePane = 0;
  ringBaseSlot = 0;
}

/** Slot of a live pane (caller guarantees `ringBasePane <= pane < ringBasePane + ringCap`). */
@inline export function ringSlot(pane: i64): i32 {
  let slot = ringBaseSlot + <i32>(pane - ringBasePane);
  if (slot >= ringCap) slot -= ringCap;
  return slot;
}

/** Moves the head forward by `panes` (the freed slots must already be empty). */
@inline export function ringAdvance(panes: i32): void {
  ringBasePane += panes;
  ringBaseSlot += panes;
  if (ringBaseSlot >= ringCap) ringBaseSlot %= ringCap;
}

/** Re-anchors an empty ring at a new head pane (used when time jumps with no data held). */
export function ringRebase(pane: i64): void {
  ringBasePane = pane;
  ringBaseSlot = 0;
}

/** Restores the mapping from a snapshot. */
export function ringRestore(capacity: i32, basePane: i64, baseSlot: i32): void {
  ringCap = capacity;
  ringBasePane = basePane;
  ringBaseSlot = baseSlot;
}
