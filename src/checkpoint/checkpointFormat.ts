/**
 * The bytes of one checkpoint file, version 1. All integers little-endian.
 *
 *   offset  size  field
 *  ┌──────┬──────┬─────────────────────────────────────────────────────────┐
 *  │    0 │    4 │ magic "EDCK" (45 44 43 4B)                              │
 *  │    4 │    4 │ version, u32 = 1                                        │
 *  │    8 │    8 │ seq, u64 (also in the file name; the two must agree)    │
 *  │   16 │    8 │ created, f64, epoch milliseconds                        │
 *  │   24 │    4 │ meta length M, u32                                      │
 *  │   28 │    4 │ CRC-32 (IEEE) of bytes 40 .. end, i.e. meta then state  │
 *  │   32 │    8 │ state length S, u64                                     │
 *  ├──────┼──────┼─────────────────────────────────────────────────────────┤
 *  │   40 │    M │ meta: UTF-8 JSON object (source positions etc.)         │
 *  │ 40+M │    S │ state: opaque engine bytes                              │
 *  └──────┴──────┴─────────────────────────────────────────────────────────┘
 *   file size = 40 + M + S exactly
 *
 * The CRC covers the body only, so a bit flip in the header is caught by the
 * other checks instead: magic and version are compared, seq against the file
 * name, and M + S against the file size (one flipped bit changes the sum).
 * Only `created` is unprotected; it is informational and nothing depends on it.
 *
 * The header is written first and the state buffer after it, straight from
 * the caller's memory, so a state of hundreds of MB is never copied into a
 * combined buffer; the CRC is chained over meta and then state for the same
 * reason. Reading decodes from one buffer holding the whole file and returns
 * the state as a view into it.
 */
import { crc32 } from './crc32.js';

/** "EDCK" in ASCII. */
const MAGIC = [0x45, 0x44, 0x43, 0x4b] as const;

/** The format version this code writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** Bytes before the meta. */
export const HEADER_BYTES = 40;

/** Largest meta length the u32 field can hold. */
const MAX_META_BYTES = 0xffff_ffff;

/** A checkpoint decoded from a file whose lengths and checksum verified. */
export interface DecodedCheckpoint {
  seq: number;
  /** When it was written, epoch milliseconds. */
  created: number;
  meta: Record<string, unknown>;
  /** A view into the file's buffer (not a copy). */
  state: Uint8Array;
}

/** What `decodeCheckpoint` found: the checkpoint, or why the bytes are unusable. */
export type DecodeResult = { ok: true; checkpoint: DecodedCheckpoint } | { ok: false; reason: string };

/**
 * Header and meta of a checkpoint, ready to be written before `state`
 * (which is not copied; the CRC is computed over it in place).
 */
export function encodeCheckpointHead(seq: number, created: number, metaJson: Uint8Array, state: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`checkpoint seq must be a whole number ≥ 0, got ${seq}`);
  if (metaJson.length > MAX_META_BYTES) throw new RangeError(`checkpoint meta is ${metaJson.length} bytes; at most ${MAX_META_BYTES} fit`);
  const head = new Uint8Array(HEADER_BYTES + metaJson.length);
  const view = new DataView(head.buffer);
  head.set(MAGIC, 0);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setBigUint64(8, BigInt(seq), true);
  view.setFloat64(16, created, true);
  view.setUint32(24, metaJson.length, true);
  view.setUint32(28, crc32(state, crc32(metaJson)), true);
  view.setBigUint64(32, BigInt(state.length), true);
  head.set(metaJson, HEADER_BYTES);
  return head;
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Strict decoder: invalid UTF-8 in the meta is corruption, not U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks and decodes a whole checkpoint file. `expectedSeq` is the seq from
 * the file name. Never throws for bad input: every problem is a `reason`
 * that names what was wrong, for logs.
 */
export function decodeCheckpoint(file: Uint8Array, expectedSeq: number): DecodeResult {
  const fail = (reason: string): DecodeResult => ({ ok: false, reason });
  if (file.length === 0) return fail('empty file');
  if (file.length < HEADER_BYTES) return fail(`truncated: ${file.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (MAGIC.some((b, i) => file[i] !== b)) {
    return fail(
      `bad magic ${[...file.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')} (expected 45 44 43 4b, "EDCK"): not an eddy checkpoint`,
    );
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) return fail(`unsupported format version ${version} (this eddy reads version ${CHECKPOINT_VERSION})`);
  const seq = view.getBigUint64(8, true);
  if (seq !== BigInt(expectedSeq)) return fail(`header says seq ${seq} but the file name says ${expectedSeq}`);
  const created = view.getFloat64(16, true);
  const metaLength = view.getUint32(24, true);
  const storedCrc = view.getUint32(28, true);
  const stateLength = view.getBigUint64(32, true);
  // BigInt so that a garbage u64 cannot round and accidentally match the size.
  const expectedSize = BigInt(HEADER_BYTES) + BigInt(metaLength) + stateLength;
  if (expectedSize !== BigInt(file.length)) {
    const what = expectedSize > BigInt(file.length) ? 'truncated' : 'trailing bytes';
    return fail(`${what}: header says ${HEADER_BYTES} + ${metaLength} meta + ${stateLength} state = ${expectedSize} bytes, the file has ${file.length}`);
  }
  const body = file.subarray(HEADER_BYTES);
  const actualCrc = crc32(body);
  if (actualCrc !== storedCrc) return fail(`checksum mismatch: stored ${hex32(storedCrc)}, computed ${hex32(actualCrc)}`);

  let meta: unknown;
  try {
    meta = JSON.parse(utf8.decode(body.subarray(0, metaLength)));
  } catch (e) {
    return fail(`meta is not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return fail('meta is not a JSON object');
  // A plain Uint8Array view, not a Buffer, so callers see the documented type only.
  const state = new Uint8Array(file.buffer, file.byteOffset + HEADER_BYTES + metaLength, Number(stateLength));
  return { ok: true, checkpoint: { seq: Number(seq), created, meta: meta as Record<string, unknown>, state } };
}
