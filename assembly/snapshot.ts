/**
 * Snapshot and restore of all core state as bytes.
 *
 * ┌──────────────┬─────────────┬────────────┬──────────────────────────┬────────────────┬────────────────────────┬────────────────────────┐
 * │ magic "EDDY" │ version u32 │ length u32 │ window state (window.ts) │ windows on i32 │ stages 0, 1 (stage.ts) │ patterns (patterns.ts) │
 * └──────────────┴─────────────┴────────────┴──────────────────────────┴────────────────┴────────────────────────┴────────────────────────┘
 *
 * The snapshot carries the window configuration, so a restored core needs no
 * configure call; the host checks that it matches its plan. Integrity of the
 * bytes on disk (checksums) is the host's business.
 */
import { STATUS_OK, E_SNAPSHOT_HEADER, E_SNAPSHOT_BODY } from "./abi";
import { Writer, Reader } from "./serial";
import { windowSave, windowSaveBound, windowLoad, windowLoadFailed, windowReset } from "./window";
import { release } from "./buffers";
import { stagesSave, stagesSaveBound, stagesLoad, stagesCommit, stagesDiscard } from "./stage";
import { patternsSave, patternsSaveBound, patternsLoad, patternsLoadFailed, patternsReset } from "./patterns";
import { windowsOn, setWindowsOn } from "./batch";

const MAGIC: u32 = 0x59444445; // "EDDY" little-endian
const VERSION: u32 = 5; // 5: the detector keeps its entropy hypotheses as bin counts (3888-byte key blocks)
const HEADER: usize = 12;

const writer = new Writer();
const reader = new Reader();

let snapshotPtr: usize = 0;
let snapshotLen: usize = 0;
let restorePtr: usize = 0;
let restoreLen: usize = 0;

/** Serialises all state into a core-owned block; returns its length (read it at snapshotAddress()). */
export function snapshotTake(): i32 {
  snapshotPtr = release(snapshotPtr);
  const bound = <usize>(windowSaveBound() + stagesSaveBound() + patternsSaveBound()) + HEADER + 4;
  snapshotPtr = heap.alloc(bound);
  const w = writer;
  w.reset(snapshotPtr, snapshotPtr + bound);
  w.i32(<i32>MAGIC);
  w.i32(<i32>VERSION);
  w.i32(0);
  windowSave(w);
  w.i32(windowsOn ? 1 : 0);
  stagesSave(w);
  patternsSave(w);
  snapshotLen = w.length;
  store<u32>(snapshotPtr + 8, <u32>snapshotLen);
  return <i32>snapshotLen;
}

/** Address of the last snapshot taken. */
export function snapshotAddress(): usize {
  return snapshotPtr;
}

/** Frees the last snapshot once the host has copied it. */
export function snapshotRelease(): void {
  snapshotPtr = release(snapshotPtr);
  snapshotLen = 0;
}

/** Allocates a block of `length` bytes for the host to copy a snapshot into; returns its address. */
export function restoreReserve(length: i32): usize {
  restorePtr = release(restorePtr);
  restoreLen = <usize>length;
  restorePtr = heap.alloc(restoreLen);
  return restorePtr;
}

/** Replaces all state with the snapshot in the reserved block; on failure the state is empty and the previous configuration stays. */
export function restoreCommit(): i32 {
  let code = STATUS_OK;
  if (restoreLen < HEADER || load<u32>(restorePtr) != MAGIC || load<u32>(restorePtr + 4) != VERSION
      || <usize>load<u32>(restorePtr + 8) != restoreLen) {
    code = E_SNAPSHOT_HEADER;
    windowReset();
    stagesDiscard();
    patternsReset();
  } else {
    const r = reader;
    r.reset(restorePtr + HEADER, restorePtr + restoreLen);
    // Each part either loads or puts its previous configuration back empty;
    // the parts after a failure are emptied too, so a failed restore leaves
    // an empty core with its configuration.
    const windowsOk = windowLoad(r);
    const on = windowsOk ? r.i32() : -1;
    const stagesOk = windowsOk && r.ok && (on == 0 || on == 1) && stagesLoad(r);
    const patternsOk = stagesOk && patternsLoad(r);
    if (patternsOk && r.pos == r.end) {
      setWindowsOn(on == 1);
      stagesCommit();
    } else {
      code = E_SNAPSHOT_BODY;
      windowLoadFailed();
      stagesDiscard();
      if (patternsOk) patternsLoadFailed(); // loaded, but trailing bytes: undo it
      else if (!stagesOk) patternsReset(); // never reached: empty it (patternsLoad restores on its own failure)
    }
  }
  restorePtr = release(restorePtr);
  restoreLen = 0;
  return code;
}
