/**
 * TEMPORARY, until snapshot.ts carries the pattern state (patternsSave /
 * patternsLoad): a snapshot of the pattern state alone, so the property tests
 * can move it into a fresh core. Delete this file and its exports in index.ts
 * once snapshot_take / restore_commit include the patterns; the tests then
 * use the core's own snapshot() / restore() (test/reference/sequence.ts
 * picks whichever the core has).
 */
import { Writer, Reader } from "./serial";
import { release } from "./buffers";
import { patternsSave, patternsSaveBound, patternsLoad, patternsLoadFailed } from "./patterns";

const writer = new Writer();
const reader = new Reader();
let snapshotPtr: usize = 0;
let restorePtr: usize = 0;
let restoreLen: usize = 0;

/** Serialises the pattern state; returns its length (read it at patternsSnapshotAddress()). */
export function patternsSnapshotTake(): i32 {
  snapshotPtr = release(snapshotPtr);
  const bound = <usize>patternsSaveBound();
  snapshotPtr = heap.alloc(bound);
  writer.reset(snapshotPtr, snapshotPtr + bound);
  patternsSave(writer);
  return <i32>writer.length;
}

/** Address of the last pattern snapshot. */
export function patternsSnapshotAddress(): usize {
  return snapshotPtr;
}

/** Reserves `length` bytes for a pattern snapshot; returns where to copy it. */
export function patternsRestoreReserve(length: i32): usize {
  restorePtr = release(restorePtr);
  restoreLen = <usize>length;
  restorePtr = heap.alloc(restoreLen);
  return restorePtr;
}

/** Replaces the pattern state with the reserved snapshot: 0, or 2 when it is malformed. */
export function patternsRestoreCommit(): i32 {
  reader.reset(restorePtr, restorePtr + restoreLen);
  let ok = patternsLoad(reader);
  if (ok && reader.pos != reader.end) {
    patternsLoadFailed();
    ok = false;
  }
  restorePtr = release(restorePtr);
  restoreLen = 0;
  return ok ? 0 : 2;
}
