/**
 * One key's state as one record, for snapshots that carry only the keys that
 * changed (snapshot.ts) and for stores that keep state per key.
 *
 * Key record: i32 key id, u32 body length, body. Body (length 0 = the key
 * holds no state; in a snapshot of changes that deletes it):
 *
 * ┌──────────┬─────────────┬─────────────────────────────┬─────────────────────────────┬──────────────────┐
 * │ mask u32 │ window part │ events stage: z, Holt, det. │ windows stage: z, Holt, det.│ patterns part    │
 * └──────────┴─────────────┴─────────────────────────────┴─────────────────────────────┴──────────────────┘
 *   bit 0      bits 1–3 (each the kernel's block, stride bytes)  bits 4–6                  bit 7
 *
 * A part is present when its bit is set: the window part when the key holds
 * panes or a late count (window.ts, windowKeySave), a kernel's block when it
 * is not all zero (all zero is every kernel's "never seen"), the patterns
 * part once the key has seen a typed event (patterns.ts, patternKeySave).
 * A key with no part writes no body at all, so the same state is always the
 * same bytes.
 */
import { Writer, Reader } from "./serial";
import { windowKeyHeld, windowKeyBound, windowKeySave, windowKeyLoad } from "./window";
import { stages, loadingStage, STAGE_KEY_PARTS } from "./stage";
import { patternKeyHeld, patternKeyBound, patternKeySave, patternKeyLoad } from "./patterns";
import { keyCount } from "./keys";
import { patternKeyCount } from "./patternKeys";

const PART_WINDOW: u32 = 1;
const PART_PATTERNS: u32 = 1 << 7;

/** Bit of kernel `part` (0 z-score, 1 Holt, 2 detector) of stage `s` (0 events, 1 windows). */
@inline function stagePartBit(s: i32, part: i32): u32 {
  return <u32>1 << <u32>(1 + s * STAGE_KEY_PARTS + part);
}

/** Which parts key `k` holds (0: none). */
export function keyParts(k: i32): u32 {
  let mask: u32 = windowKeyHeld(k) ? PART_WINDOW : 0;
  for (let s = 0; s < 2; s++) {
    const stage = stages[s];
    for (let part = 0; part < STAGE_KEY_PARTS; part++) if (stage.keyStore(part).heldBlock(k) != 0) mask |= stagePartBit(s, part);
  }
  if (patternKeyHeld(k)) mask |= PART_PATTERNS;
  return mask;
}

/** Upper bound of the bytes keyRecordSave writes for key `k` with parts `mask`. */
export function keyRecordBound(k: i32, mask: u32): f64 {
  let bound: f64 = 12;
  if (mask & PART_WINDOW) bound += windowKeyBound(k);
  for (let s = 0; s < 2; s++) {
    for (let part = 0; part < STAGE_KEY_PARTS; part++) if (mask & stagePartBit(s, part)) bound += <f64>stages[s].keyStore(part).stride;
  }
  if (mask & PART_PATTERNS) bound += patternKeyBound(k);
  return bound;
}

/** Writes key `k`'s record with the parts of `mask` (from keyParts; 0 writes an empty body). */
export function keyRecordSave(w: Writer, k: i32, mask: u32): void {
  w.i32(k);
  const lengthAt = w.pos;
  w.i32(0);
  if (mask == 0) return;
  const bodyAt = w.pos;
  w.i32(<i32>mask);
  if (mask & PART_WINDOW) windowKeySave(w, k);
  for (let s = 0; s < 2; s++) {
    const stage = stages[s];
    for (let part = 0; part < STAGE_KEY_PARTS; part++) {
      if (mask & stagePartBit(s, part)) {
        const store = stage.keyStore(part);
        w.bytes(store.blockIfAllocated(k), store.stride);
      }
    }
  }
  if (mask & PART_PATTERNS) patternKeySave(w, k);
  store<u32>(lengthAt, <u32>(w.pos - bodyAt));
}

/** Highest key id any kernel holds state for + 1 (the ids a full snapshot visits). */
export function keyIdBound(): i32 {
  let n = keyCount;
  for (let s = 0; s < 2; s++) if (stages[s].keyCount() > n) n = stages[s].keyCount();
  if (patternKeyCount() > n) n = patternKeyCount();
  return n;
}

/**
 * Reads one key record's body (`length` bytes, after its id and length) for
 * key `k` into the kernels being restored; false on anything malformed:
 * unknown part bits, a part a kernel refuses, or a body whose parts do not
 * fill it exactly. An empty body is refused too: a full snapshot never
 * holds one (changes are merged into a full snapshot by the host first).
 */
export function keyRecordLoad(r: Reader, k: i32, length: u32): bool {
  if (length < 4) return false;
  const end = r.pos + <usize>length;
  const mask = <u32>r.i32();
  if (!r.ok || mask == 0 || (mask & ~<u32>0xff) != 0) return false;
  if (mask & PART_WINDOW) {
    if (!windowKeyLoad(r, k)) return false;
  }
  for (let s = 0; s < 2; s++) {
    const stage = loadingStage(s);
    for (let part = 0; part < STAGE_KEY_PARTS; part++) {
      if ((mask & stagePartBit(s, part)) == 0) continue;
      const blocks = stage.keyStore(part);
      const b = blocks.block(k);
      r.bytes(b, blocks.stride);
      if (!r.ok || !stage.validKeyBlock(part, b)) return false;
    }
  }
  if (mask & PART_PATTERNS) {
    if (!patternKeyLoad(r, k)) return false;
  }
  return r.ok && r.pos == end;
}
