/**
 * A query engine's snapshot: the core's snapshot plus what the host holds —
 * the interned keys (ids are positions) and the plan's fingerprint, which a
 * restoring engine must match.
 *
 * Layout: magic "EDDQ" u32 · version u32 · header length u32 · header (UTF-8
 * JSON) · core snapshot (assembly/snapshot.ts). The header is
 * `{ plan, keys }` for a full snapshot; a snapshot of changes (the core's
 * changed keys only) carries only the keys interned since the snapshot
 * before it: `{ plan, keys, keysFrom }`, `keys` being ids keysFrom, … .
 * `mergeEngineSnapshots` folds a full snapshot and the changes after it into
 * the full snapshot of the newest state, which is what a restore reads.
 */
import { mergeSnapshots } from '../core/snapshotMerge.js';

const MAGIC = 0x51444445; // "EDDQ" little-endian
const VERSION = 3; // 3: snapshots of changes (keysFrom), core snapshots of key records

/** The JSON header of an engine snapshot. */
export interface EngineSnapshotHeader {
  /** The plan's fingerprint. */
  plan: string;
  /** Interned keys: all of them (full), or those from id `keysFrom` on (changes). */
  keys: unknown[][];
  /** Present in a snapshot of changes: the id of the first key it carries. */
  keysFrom?: number;
}

/** Encodes a header and a core snapshot as an engine snapshot. */
export function encodeEngineSnapshot(header: EngineSnapshotHeader, core: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + core.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(core, 12 + json.length);
  return out;
}

/** Splits an engine snapshot into its header and core snapshot; throws a clear Error on anything else. */
export function decodeEngineSnapshot(bytes: Uint8Array): { header: EngineSnapshotHeader; core: Uint8Array } {
  if (bytes.length < 12) throw new Error('snapshot is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not an eddy query snapshot');
  if (view.getUint32(4, true) !== VERSION) throw new Error(`snapshot version ${view.getUint32(4, true)} is not supported (expected ${VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new Error('snapshot is truncated');
  let header: EngineSnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as EngineSnapshotHeader;
  } catch {
    throw new Error('snapshot header is corrupt');
  }
  if (typeof header !== 'object' || header === null || typeof header.plan !== 'string' || !Array.isArray(header.keys))
    throw new Error('snapshot header is corrupt');
  return { header, core: bytes.subarray(12 + headerLength) };
}

/**
 * The full engine snapshot of `base` (full) with `changes` (snapshots of
 * changes taken one after another since it, oldest first) applied. Throws
 * when a link is missing: a change set whose keys do not continue the ones
 * before it, or a plan that differs.
 */
export function mergeEngineSnapshots(base: Uint8Array, changes: readonly Uint8Array[]): Uint8Array {
  if (changes.length === 0) return base;
  const first = decodeEngineSnapshot(base);
  if (first.header.keysFrom !== undefined) throw new Error('the base of a checkpoint chain must be a full snapshot');
  const keys = first.header.keys.slice();
  const cores: Uint8Array[] = [];
  for (const bytes of changes) {
    const { header, core } = decodeEngineSnapshot(bytes);
    if (header.plan !== first.header.plan) throw new Error('a checkpoint chain mixes snapshots of different plans');
    if (header.keysFrom !== keys.length)
      throw new Error(`a checkpoint chain is broken: changes start at key ${String(header.keysFrom)}, the state before them has ${keys.length} keys`);
    keys.push(...header.keys);
    cores.push(core);
  }
  return encodeEngineSnapshot({ plan: first.header.plan, keys }, mergeSnapshots(first.core, cores));
}
