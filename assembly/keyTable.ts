/**
 * Group keys interned in the core: key text → dense id (0, 1, 2, …).
 *
 * A key's text is what the host's KeyInterner builds (src/engine/interner.ts):
 * each grouping value as `String(value)` would write it, joined by U+001F.
 * After the text come one kind byte per grouping value (KIND_*), so the
 * host can give numbers back as numbers when it shows the key.
 *
 *   text   u8[]          every key's text + kinds, back to back
 *   entry  i32[3 × ids]  per id: offset in text, text length, hash
 *   slots  i32[cap]      open addressing by hash, id + 1 (0 = empty)
 *
 * Ids are handed out in order, so "the keys a call added" are the ids from
 * the count before the call, and undoing them (a JSON body that turns out to
 * be invalid after some of its rows were interned) removes the newest first,
 * which linear probing allows without tombstones.
 */
import { KIND_STRING as ABI_KIND_STRING, KIND_NUMBER as ABI_KIND_NUMBER, KIND_BOOLEAN as ABI_KIND_BOOLEAN } from "./abi";
import { growZeroed, release, bytesEqual } from "./buffers";

/** Kind bytes after a key's text. */
export const KIND_STRING: u8 = <u8>ABI_KIND_STRING;
export const KIND_NUMBER: u8 = <u8>ABI_KIND_NUMBER;
export const KIND_BOOLEAN: u8 = <u8>ABI_KIND_BOOLEAN;

export let keyText: usize = 0;
let textLen: usize = 0;
let textCap: usize = 0;
export let keyEntries: usize = 0;
let entryCap: i32 = 0;
export let keyTotal: i32 = 0;
let slots: usize = 0;
let slotMask: u32 = 0;

/** Hash of a byte string (word at a time; short keys are the common case). */
export function hashBytes(p: usize, len: usize): u32 {
  let h: u32 = 0x9e3779b9 ^ <u32>len;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    h = (h ^ load<u32>(p + i)) * 0x85ebca6b;
    h = rotl<u32>(h, 13);
  }
  for (; i < len; i++) {
    h = (h ^ <u32>load<u8>(p + i)) * 0xc2b2ae35;
  }
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  return h;
}


function rehash(cap: u32): void {
  slots = release(slots);
  slots = growZeroed(0, 0, <usize>cap << 2);
  slotMask = cap - 1;
  for (let id = 0; id < keyTotal; id++) place(id, load<u32>(keyEntries + <usize>id * 12 + 8));
}

@inline function place(id: i32, hash: u32): void {
  let s = hash & slotMask;
  while (load<i32>(slots + (<usize>s << 2)) != 0) s = (s + 1) & slotMask;
  store<i32>(slots + (<usize>s << 2), id + 1);
}

/**
 * Id of the key with text [p, p+len) and `parts` kind bytes at `kinds`,
 * interning it when new.
 */
export function keyIntern(p: usize, len: usize, kinds: usize, parts: i32): i32 {
  const hash = hashBytes(p, len);
  if (slots != 0) {
    let s = hash & slotMask;
    while (true) {
      const at = load<i32>(slots + (<usize>s << 2));
      if (at == 0) break;
      const e = keyEntries + <usize>(at - 1) * 12;
      if (load<u32>(e + 8) == hash && <usize>load<i32>(e + 4) == len && bytesEqual(keyText + <usize>load<i32>(e), p, len)) return at - 1;
      s = (s + 1) & slotMask;
    }
  }
  // new key: text, then entry, then slot
  const need = textLen + len + <usize>parts;
  if (need > textCap) {
    let cap = textCap < 4096 ? <usize>4096 : textCap;
    while (cap < need) cap <<= 1;
    keyText = growZeroed(keyText, textCap, cap);
    textCap = cap;
  }
  memory.copy(keyText + textLen, p, len);
  if (parts > 0) memory.copy(keyText + textLen + len, kinds, <usize>parts);
  if (keyTotal == entryCap) {
    const cap = entryCap < 1024 ? 1024 : entryCap << 1;
    keyEntries = growZeroed(keyEntries, <usize>entryCap * 12, <usize>cap * 12);
    entryCap = cap;
  }
  const id = keyTotal;
  const e = keyEntries + <usize>id * 12;
  store<i32>(e, <i32>textLen);
  store<i32>(e + 4, <i32>len);
  store<u32>(e + 8, hash);
  textLen += len + <usize>parts;
  keyTotal++;
  if (slots == 0 || <u32>keyTotal * 2 > slotMask + 1) rehash(slots == 0 ? 2048 : (slotMask + 1) << 1);
  else place(id, hash);
  return id;
}

/** Removes the keys with ids ≥ count (newest first). */
export function keyTruncate(count: i32): void {
  while (keyTotal > count && keyTotal > 0) {
    const id = keyTotal - 1;
    const e = keyEntries + <usize>id * 12;
    let s = load<u32>(e + 8) & slotMask;
    while (load<i32>(slots + (<usize>s << 2)) != id + 1) s = (s + 1) & slotMask;
    store<i32>(slots + (<usize>s << 2), 0);
    textLen = <usize>load<i32>(e);
    keyTotal--;
  }
}

/** Forgets every key. */
export function keyTableReset(): void {
  keyTotal = 0;
  textLen = 0;
  if (slots != 0) memory.fill(slots, 0, <usize>(slotMask + 1) << 2);
}

/** Bytes the table holds (for the state-size gauge). */
export function keyTableBytes(): usize {
  return textCap + <usize>entryCap * 12 + (slots == 0 ? 0 : <usize>(slotMask + 1) << 2);
}
