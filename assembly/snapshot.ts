/**
 * Snapshot and restore of the core's state as bytes: all of it (a full
 * snapshot), or the partition-wide part and only the keys that changed
 * since the last snapshot (a snapshot of changes, for incremental
 * checkpoints).
 *
 * ┌──────────────┬─────────────┬────────────┬──────────┬─────────────────────┬────────────────┬──────────────────────────────┐
 * │ magic "EDDY" │ version u32 │ length u32 │ kind u32 │ partition length u32│ partition part │ u32 count, count key records │
 * └──────────────┴─────────────┴────────────┴──────────┴─────────────────────┴────────────────┴──────────────────────────────┘
 *
 * Partition part: window configuration and watermark, counters and active
 * keys (window.ts), windows on i32, both stages' configuration (stage.ts),
 * the patterns and their counters (patterns.ts). Key records
 * (keyRecords.ts), key ids ascending: in a full snapshot every key holding
 * state; in a snapshot of changes every key changed since the previous
 * snapshot, those left with no state as an empty body (a deletion). A full
 * snapshot is canonical (the same state is the same bytes), so a full
 * snapshot merged from a base and its changes by the host
 * (src/core/snapshotMerge.ts) is byte for byte the one the core would take.
 *
 * The snapshot carries the configuration, so a restored core needs no
 * configure call; the host checks that it matches its plan. Integrity of the
 * bytes on disk (checksums) is the host's business.
 */
import { STATUS_OK, E_SNAPSHOT_HEADER, E_SNAPSHOT_BODY, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, SNAPSHOT_HEADER_BYTES, SNAPSHOT_FULL, SNAPSHOT_CHANGES } from "./abi";
import { Writer, Reader } from "./serial";
import { windowSaveConfig, windowConfigBound, windowLoadConfig, windowLoadFinish, windowLoadFailed, windowReset } from "./window";
import { release } from "./buffers";
import { stagesSaveConfig, stagesConfigBound, stagesLoadConfig, stagesCommit, stagesDiscard } from "./stage";
import { patternsSaveConfig, patternsConfigBound, patternsLoadConfig, patternsLoadFailed, patternsReset } from "./patterns";
import { windowsOn, setWindowsOn } from "./batch";
import { keyParts, keyRecordBound, keyRecordSave, keyRecordLoad, keyIdBound } from "./keyRecords";
import { changedKeysClear, changedWords, changedWord } from "./changedKeys";

const writer = new Writer();
const reader = new Reader();

let snapshotPtr: usize = 0;
let snapshotLen: usize = 0;
let restorePtr: usize = 0;
let restoreLen: usize = 0;

/**
 * Serialises the state into a core-owned block; returns its length (read
 * it at snapshotAddress()). `kind` SNAPSHOT_FULL writes every key holding
 * state, SNAPSHOT_CHANGES the keys changed since the last snapshot (change
 * tracking on). Either way the changes start over from here.
 */
export function snapshotTake(kind: i32): i32 {
  snapshotPtr = release(snapshotPtr);
  const changes = kind == SNAPSHOT_CHANGES;
  // one pass to size the block (a block of the right size once, not grown by copies:
  // at a million keys a copy would double the memory a snapshot needs)
  let bound = windowConfigBound() + stagesConfigBound() + patternsConfigBound() + <f64>SNAPSHOT_HEADER_BYTES + 64;
  if (changes) {
    const words = changedWords();
    for (let i = 0; i < words; i++) {
      let bits = changedWord(i);
      while (bits != 0) {
        const k = (i << 5) + <i32>ctz(bits);
        bits &= bits - 1;
        bound += keyRecordBound(k, keyParts(k));
      }
    }
  } else {
    const keys = keyIdBound();
    for (let k = 0; k < keys; k++) {
      const mask = keyParts(k);
      if (mask != 0) bound += keyRecordBound(k, mask);
    }
  }
  const size = <usize>bound;
  snapshotPtr = heap.alloc(size);
  const w = writer;
  w.reset(snapshotPtr, snapshotPtr + size);
  w.i32(<i32>SNAPSHOT_MAGIC);
  w.i32(<i32>SNAPSHOT_VERSION);
  w.i32(0);
  w.i32(changes ? SNAPSHOT_CHANGES : SNAPSHOT_FULL);
  w.i32(0);
  const partitionAt = w.pos;
  windowSaveConfig(w);
  w.i32(windowsOn ? 1 : 0);
  stagesSaveConfig(w);
  patternsSaveConfig(w);
  store<u32>(w.start + 16, <u32>(w.pos - partitionAt));
  const countAt = w.pos;
  w.i32(0);
  let count = 0;
  if (changes) {
    const words = changedWords();
    for (let i = 0; i < words; i++) {
      let bits = changedWord(i);
      while (bits != 0) {
        const k = (i << 5) + <i32>ctz(bits);
        bits &= bits - 1;
        keyRecordSave(w, k, keyParts(k));
        count++;
      }
    }
  } else {
    const keys = keyIdBound();
    for (let k = 0; k < keys; k++) {
      const mask = keyParts(k);
      if (mask == 0) continue;
      keyRecordSave(w, k, mask);
      count++;
    }
  }
  store<u32>(countAt, <u32>count);
  snapshotLen = w.length;
  store<u32>(w.start + 8, <u32>snapshotLen);
  changedKeysClear();
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

/** Reads the records after the partition part; false on anything malformed. */
function loadKeys(r: Reader): bool {
  const count = r.i32();
  if (!r.ok || count < 0) return false;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const k = r.i32();
    const length = <u32>r.i32();
    if (!r.ok || k <= previous || <usize>length > r.end - r.pos) return false;
    previous = k;
    if (!keyRecordLoad(r, k, length)) return false;
  }
  return windowLoadFinish();
}

/**
 * Replaces all state with the full snapshot in the reserved block; on
 * failure the state is empty and the previous configuration stays. A
 * snapshot of changes is refused (E_SNAPSHOT_HEADER): the host merges it
 * into its base first.
 */
export function restoreCommit(): i32 {
  let code = STATUS_OK;
  if (restoreLen < <usize>SNAPSHOT_HEADER_BYTES || load<u32>(restorePtr) != <u32>SNAPSHOT_MAGIC || load<u32>(restorePtr + 4) != <u32>SNAPSHOT_VERSION
      || <usize>load<u32>(restorePtr + 8) != restoreLen || load<u32>(restorePtr + 12) != <u32>SNAPSHOT_FULL) {
    code = E_SNAPSHOT_HEADER;
    windowReset();
    stagesDiscard();
    patternsReset();
  } else {
    const r = reader;
    r.reset(restorePtr + <usize>SNAPSHOT_HEADER_BYTES, restorePtr + restoreLen);
    const partitionEnd = r.pos + <usize>load<u32>(restorePtr + 16);
    // Each part either loads or puts its previous configuration back empty;
    // the parts after a failure are emptied too, so a failed restore leaves
    // an empty core with its configuration.
    const windowsOk = windowLoadConfig(r);
    const on = windowsOk ? r.i32() : -1;
    const stagesOk = windowsOk && r.ok && (on == 0 || on == 1) && stagesLoadConfig(r);
    const patternsOk = stagesOk && patternsLoadConfig(r);
    const keysOk = patternsOk && r.ok && r.pos == partitionEnd && loadKeys(r);
    if (keysOk && r.ok && r.pos == r.end) {
      setWindowsOn(on == 1);
      stagesCommit();
    } else {
      code = E_SNAPSHOT_BODY;
      windowLoadFailed();
      stagesDiscard();
      if (patternsOk) patternsLoadFailed(); // loaded, but a later part failed: undo it
      else if (!stagesOk) patternsReset(); // never reached: empty it (patternsLoadConfig restores on its own failure)
    }
  }
  restorePtr = release(restorePtr);
  restoreLen = 0;
  changedKeysClear();
  return code;
}
