/**
 * Text ↔ bytes as the core stores key text: UTF-8, except that a lone
 * surrogate (which JSON.parse lets a string hold through `\ud800`) is kept
 * as its own 3-byte sequence instead of becoming U+FFFD, so two keys that
 * differ only there stay two keys (generalised UTF-8, "WTF-8").
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SURROGATE = /[\ud800-\udfff]/;

/** The bytes of `text`. */
export function encodeWtf8(text: string): Uint8Array {
  if (!SURROGATE.test(text)) return encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    // a proper pair is one code point; a lone half stays a code unit
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** True when the bytes hold an encoded surrogate (ED A0–BF …). */
function hasSurrogate(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0) return true;
  return false;
}

/** The text of `bytes` (valid generalised UTF-8, as the core writes it). */
export function decodeWtf8(bytes: Uint8Array): string {
  if (!hasSurrogate(bytes)) return decoder.decode(bytes);
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    let cp: number;
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if (c < 0xe0) {
      cp = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      cp = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      i += 3;
    } else {
      cp = ((c & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      i += 4;
    }
    text += String.fromCodePoint(cp);
  }
  return text;
}

const utf8Check = new TextDecoder('utf-8', { fatal: true });

/**
 * `bytes` if they are UTF-8, else their text as a lenient decoder reads it
 * (each bad sequence U+FFFD, as Buffer#toString) encoded again. ASCII, the
 * common case, is checked without a decoder.
 */
export function wellFormedUtf8(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i]! < 0x80) i++;
  if (i === bytes.length) return bytes;
  try {
    utf8Check.decode(bytes);
    return bytes;
  } catch {
    return encoder.encode(decoder.decode(bytes));
  }
}
