/**
 * Merging a full core snapshot with the snapshots of changes taken after it
 * into the full snapshot of the latest state — what an incremental
 * checkpoint is restored from. Layout: assembly/snapshot.ts and
 * assembly/keyRecords.ts (constants in assembly/abi.ts).
 *
 * The merge works on key records as opaque bodies: the latest partition
 * part wins, a changed key's record replaces its earlier one, an empty body
 * deletes the key, and the records are written in ascending key order. A
 * full snapshot is canonical in the core, so the merged bytes equal the
 * full snapshot the core would have taken at the last change, byte for byte.
 */
import { KEY_RECORD_HEADER_BYTES, SNAPSHOT_CHANGES, SNAPSHOT_FULL, SNAPSHOT_HEADER_BYTES, SNAPSHOT_MAGIC, SNAPSHOT_VERSION } from '../../assembly/abi.js';

/** A snapshot split into its parts (views into the original bytes). */
export interface SnapshotParts {
  kind: number;
  partition: Uint8Array;
  /** Key id → its record body (empty: the key was deleted). */
  records: Map<number, Uint8Array>;
}

/** Splits a core snapshot into its partition part and key records; throws a clear Error on malformed bytes. */
export function splitSnapshot(bytes: Uint8Array): SnapshotParts {
  if (bytes.length < SNAPSHOT_HEADER_BYTES) throw new Error('core snapshot is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== SNAPSHOT_MAGIC) throw new Error('not a core snapshot');
  const version = view.getUint32(4, true);
  if (version !== SNAPSHOT_VERSION) throw new Error(`core snapshot version ${version} is not supported (expected ${SNAPSHOT_VERSION})`);
  if (view.getUint32(8, true) !== bytes.length) throw new Error('core snapshot length does not match its header');
  const kind = view.getUint32(12, true);
  if (kind !== SNAPSHOT_FULL && kind !== SNAPSHOT_CHANGES) throw new Error(`core snapshot kind ${kind} is unknown`);
  const partitionEnd = SNAPSHOT_HEADER_BYTES + view.getUint32(16, true);
  if (partitionEnd + 4 > bytes.length) throw new Error('core snapshot is truncated');
  const count = view.getUint32(partitionEnd, true);
  const records = new Map<number, Uint8Array>();
  let at = partitionEnd + 4;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    if (at + KEY_RECORD_HEADER_BYTES > bytes.length) throw new Error('core snapshot is truncated');
    const key = view.getInt32(at, true);
    const length = view.getUint32(at + 4, true);
    at += KEY_RECORD_HEADER_BYTES;
    if (key <= previous) throw new Error('core snapshot key records are out of order');
    if (at + length > bytes.length) throw new Error('core snapshot is truncated');
    if (length === 0 && kind === SNAPSHOT_FULL) throw new Error('a full core snapshot holds an empty key record');
    records.set(key, bytes.subarray(at, at + length));
    previous = key;
    at += length;
  }
  if (at !== bytes.length) throw new Error('core snapshot has bytes after its key records');
  return { kind, partition: bytes.subarray(SNAPSHOT_HEADER_BYTES, partitionEnd), records };
}

/**
 * The full snapshot of `base` (a full snapshot) with `changes` (snapshots
 * of changes, oldest first) applied.
 */
export function mergeSnapshots(base: Uint8Array, changes: readonly Uint8Array[]): Uint8Array {
  const merged = splitSnapshot(base);
  if (merged.kind !== SNAPSHOT_FULL) throw new Error('the base of a merge must be a full core snapshot');
  let partition = merged.partition;
  for (const bytes of changes) {
    const delta = splitSnapshot(bytes);
    if (delta.kind !== SNAPSHOT_CHANGES) throw new Error('only snapshots of changes can be merged into a base');
    partition = delta.partition;
    for (const [key, body] of delta.records) {
      if (body.length === 0) merged.records.delete(key);
      else merged.records.set(key, body);
    }
  }
  const keys = [...merged.records.keys()].sort((a, b) => a - b);
  let length = SNAPSHOT_HEADER_BYTES + partition.length + 4;
  for (const key of keys) length += KEY_RECORD_HEADER_BYTES + merged.records.get(key)!.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(0, SNAPSHOT_MAGIC, true);
  view.setUint32(4, SNAPSHOT_VERSION, true);
  view.setUint32(8, length, true);
  view.setUint32(12, SNAPSHOT_FULL, true);
  view.setUint32(16, partition.length, true);
  out.set(partition, SNAPSHOT_HEADER_BYTES);
  let at = SNAPSHOT_HEADER_BYTES + partition.length;
  view.setUint32(at, keys.length, true);
  at += 4;
  for (const key of keys) {
    const body = merged.records.get(key)!;
    view.setInt32(at, key, true);
    view.setUint32(at + 4, body.length, true);
    out.set(body, at + KEY_RECORD_HEADER_BYTES);
    at += KEY_RECORD_HEADER_BYTES + body.length;
  }
  return out;
}
