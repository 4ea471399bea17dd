/**
 * JSON lexing over bytes in linear memory (RFC 8259, as JSON.parse reads it):
 * whitespace, strings (escapes checked, UTF-8 validated), and skipping any
 * value whatever it nests, without building it. Every function takes the
 * current address and the end of the text and returns the address after
 * what it read, or 0 on a syntax error, having set `syntaxError` and
 * `syntaxErrorAt` (the reason codes the host turns into text).
 */
import { SYNTAX_UNEXPECTED, SYNTAX_END, SYNTAX_UTF8, SYNTAX_ESCAPE, SYNTAX_CONTROL } from "./abi";
export { SYNTAX_UNEXPECTED, SYNTAX_END, SYNTAX_UTF8, SYNTAX_ESCAPE, SYNTAX_CONTROL };
import { growZeroed } from "./buffers";


/** Code of the last syntax error. */
export let syntaxError: i32 = 0;
/** Address of the last syntax error. */
export let syntaxErrorAt: usize = 0;
/** True when the last string scanned held a backslash escape. */
export let stringEscaped: bool = false;

/** Records a syntax error; returns 0 so callers can `return fail(...)`. */
export function fail(code: i32, at: usize): usize {
  syntaxError = code;
  syntaxErrorAt = at;
  return 0;
}

/** Skips JSON whitespace (space, tab, LF, CR). */
@inline export function skipWs(p: usize, end: usize): usize {
  while (p < end) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    p++;
  }
  return p;
}

@inline function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

/** The 4 hex digits at p as a code unit, or -1. */
export function hex4(p: usize): i32 {
  const a = hexValue(<u32>load<u8>(p));
  const b = hexValue(<u32>load<u8>(p + 1));
  const c = hexValue(<u32>load<u8>(p + 2));
  const d = hexValue(<u32>load<u8>(p + 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * Length of the well-formed UTF-8 sequence starting at p with lead byte
 * c ≥ 0x80 (no overlongs, no encoded surrogates, nothing past U+10FFFF),
 * or 0 when it is not one.
 */
export function utf8Length(p: usize, end: usize, c: u32): i32 {
  if (c < 0xc2) return 0;
  if (c < 0xe0) {
    if (p + 1 >= end || (<u32>load<u8>(p + 1) & 0xc0) != 0x80) return 0;
    return 2;
  }
  if (c < 0xf0) {
    if (p + 2 >= end) return 0;
    const c1 = <u32>load<u8>(p + 1);
    const c2 = <u32>load<u8>(p + 2);
    if ((c1 & 0xc0) != 0x80 || (c2 & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c == 0xed && c1 >= 0xa0) return 0; // a surrogate
    return 3;
  }
  if (c < 0xf5) {
    if (p + 3 >= end) return 0;
    const c1 = <u32>load<u8>(p + 1);
    if ((c1 & 0xc0) != 0x80 || (<u32>load<u8>(p + 2) & 0xc0) != 0x80 || (<u32>load<u8>(p + 3) & 0xc0) != 0x80) return 0;
    if (c == 0xf0 && c1 < 0x90) return 0; // overlong
    if (c == 0xf4 && c1 >= 0x90) return 0; // past U+10FFFF
    return 4;
  }
  return 0;
}

/**
 * Scans a string whose opening quote is at p. Returns the address after
 * the closing quote; sets `stringEscaped`.
 */
export function scanString(p: usize, end: usize): usize {
  p++;
  let escaped = false;
  while (true) {
    // the plain run, eight bytes at a time: stop at a word holding a quote, a backslash, a control or a non-ASCII byte
    while (p + 8 <= end) {
      const w = load<u64>(p);
      const q = w ^ 0x2222222222222222;
      const b = w ^ 0x5c5c5c5c5c5c5c5c;
      const special = ((q - 0x0101010101010101) & ~q) | ((b - 0x0101010101010101) & ~b) | ((w - 0x2020202020202020) & ~w) | w;
      if ((special & 0x8080808080808080) != 0) break;
      p += 8;
    }
    while (p < end) {
      const c = <u32>load<u8>(p);
      if (c == 0x22 || c == 0x5c || c < 0x20 || c >= 0x80) break;
      p++;
    }
    if (p >= end) return fail(SYNTAX_END, p);
    const c = <u32>load<u8>(p);
    if (c == 0x22) {
      stringEscaped = escaped;
      return p + 1;
    }
    if (c == 0x5c) {
      escaped = true;
      if (p + 1 >= end) return fail(SYNTAX_END, p + 1);
      const e = <u32>load<u8>(p + 1);
      if (e == 0x75) {
        if (p + 6 > end) return fail(SYNTAX_END, end);
        if (hex4(p + 2) < 0) return fail(SYNTAX_ESCAPE, p);
        p += 6;
      } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        p += 2;
      } else {
        return fail(SYNTAX_ESCAPE, p);
      }
    } else if (c < 0x20) {
      return fail(SYNTAX_CONTROL, p);
    } else {
      const n = utf8Length(p, end, c);
      if (n == 0) return fail(SYNTAX_UTF8, p);
      p += <usize>n;
    }
  }
  return 0;
}

/** Scans a JSON number at p (grammar check only); returns the address after it. */
export function skipNumber(p: usize, end: usize): usize {
  const start = p;
  if (p < end && load<u8>(p) == 0x2d) p++;
  if (p >= end) return fail(SYNTAX_END, p);
  let c = <u32>load<u8>(p);
  if (c == 0x30) {
    p++;
  } else if (c - 0x31 < 9) {
    p++;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
  } else {
    return fail(SYNTAX_UNEXPECTED, p);
  }
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    const from = p;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
    if (p == from) return fail(p < end ? SYNTAX_UNEXPECTED : SYNTAX_END, p);
  }
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
    const from = p;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
    if (p == from) return fail(p < end ? SYNTAX_UNEXPECTED : SYNTAX_END, p);
  }
  if (start == p) return fail(SYNTAX_UNEXPECTED, p);
  return p;
}

/** Matches the literal at p (`true`, `false`, `null`) of `length` bytes whose first four bytes are `word`. */
@inline function literal(p: usize, end: usize, word: u32, length: usize): usize {
  if (p + length > end) {
    // report the first byte that differs, or the end
    return fail(SYNTAX_END, end);
  }
  if (length == 4) {
    if (load<u32>(p) != word) return fail(SYNTAX_UNEXPECTED, p);
  } else if (load<u32>(p) != word || load<u8>(p + 4) != 0x65) {
    return fail(SYNTAX_UNEXPECTED, p);
  }
  return p + length;
}

const TRUE_WORD: u32 = 0x65757274; // "true"
const FALS_WORD: u32 = 0x736c6166; // "fals"
const NULL_WORD: u32 = 0x6c6c756e; // "null"

/** Containers open while skipping a nested value: 1 = object, 2 = array. */
let stack: usize = 0;
let stackCap: usize = 0;

/** Scans any one value starting at p (no whitespace before it); returns the address after it. */
export function skipValue(p: usize, end: usize): usize {
  let depth: usize = 0;
  while (true) {
    // a value is expected at p
    if (p >= end) return fail(SYNTAX_END, p);
    const c = <u32>load<u8>(p);
    if (c == 0x22) {
      p = scanString(p, end);
      if (p == 0) return 0;
    } else if (c == 0x7b || c == 0x5b) {
      p = skipWs(p + 1, end);
      if (p >= end) return fail(SYNTAX_END, p);
      if (load<u8>(p) == (c == 0x7b ? 0x7d : 0x5d)) {
        p++;
      } else {
        if (depth == stackCap) {
          const cap: usize = stackCap < 64 ? 64 : stackCap << 1;
          stack = growZeroed(stack, stackCap, cap);
          stackCap = cap;
        }
        store<u8>(stack + depth, c == 0x7b ? 1 : 2);
        depth++;
        if (c == 0x7b) {
          p = objectKey(p, end);
          if (p == 0) return 0;
        }
        continue;
      }
    } else if (c == 0x74) {
      p = literal(p, end, TRUE_WORD, 4);
      if (p == 0) return 0;
    } else if (c == 0x66) {
      p = literal(p, end, FALS_WORD, 5);
      if (p == 0) return 0;
    } else if (c == 0x6e) {
      p = literal(p, end, NULL_WORD, 4);
      if (p == 0) return 0;
    } else if (c == 0x2d || c - 0x30 < 10) {
      p = skipNumber(p, end);
      if (p == 0) return 0;
    } else {
      return fail(SYNTAX_UNEXPECTED, p);
    }
    // after a value: close containers, or go on to the next member
    while (true) {
      if (depth == 0) return p;
      p = skipWs(p, end);
      if (p >= end) return fail(SYNTAX_END, p);
      const d = <u32>load<u8>(p);
      const top = load<u8>(stack + depth - 1);
      if (d == 0x2c) {
        p = skipWs(p + 1, end);
        if (top == 1) {
          p = objectKey(p, end);
          if (p == 0) return 0;
        }
        break;
      }
      if ((d == 0x7d && top == 1) || (d == 0x5d && top == 2)) {
        depth--;
        p++;
        continue;
      }
      return fail(SYNTAX_UNEXPECTED, p);
    }
  }
  return 0;
}

/** Reads `"key" :` and the whitespace after it; returns the address of the value. */
function objectKey(p: usize, end: usize): usize {
  if (p >= end) return fail(SYNTAX_END, p);
  if (load<u8>(p) != 0x22) return fail(SYNTAX_UNEXPECTED, p);
  p = scanString(p, end);
  if (p == 0) return 0;
  p = skipWs(p, end);
  if (p >= end) return fail(SYNTAX_END, p);
  if (load<u8>(p) != 0x3a) return fail(SYNTAX_UNEXPECTED, p);
  return skipWs(p + 1, end);
}

/**
 * Decodes the string whose quotes are at start and end-1 into `out`
 * (escapes resolved; a lone surrogate escape is kept as its 3-byte
 * generalised-UTF-8 form, so no key is lost or merged). The string must
 * have passed scanString. Returns the number of bytes written.
 */
export function decodeString(start: usize, end: usize, out: usize): i32 {
  let p = start + 1;
  const stop = end - 1;
  let w = out;
  while (p < stop) {
    const c = <u32>load<u8>(p);
    if (c != 0x5c) {
      store<u8>(w, <u8>c);
      w++;
      p++;
      continue;
    }
    const e = <u32>load<u8>(p + 1);
    p += 2;
    let cp: u32 = 0;
    if (e == 0x75) {
      cp = <u32>hex4(p);
      p += 4;
      // a high surrogate followed by an escaped low one is one code point
      if (cp - 0xd800 < 0x400 && p + 6 <= stop && load<u8>(p) == 0x5c && load<u8>(p + 1) == 0x75) {
        const low = <u32>hex4(p + 2);
        if (low - 0xdc00 < 0x400) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          p += 6;
        }
      }
    } else if (e == 0x62) cp = 0x08;
    else if (e == 0x66) cp = 0x0c;
    else if (e == 0x6e) cp = 0x0a;
    else if (e == 0x72) cp = 0x0d;
    else if (e == 0x74) cp = 0x09;
    else cp = e; // \" \\ \/
    w = putCodePoint(w, cp);
  }
  return <i32>(w - out);
}

/** Writes a code point (or a lone surrogate) as (generalised) UTF-8; returns the address after it. */
export function putCodePoint(w: usize, cp: u32): usize {
  if (cp < 0x80) {
    store<u8>(w, <u8>cp);
    return w + 1;
  }
  if (cp < 0x800) {
    store<u8>(w, <u8>(0xc0 | (cp >> 6)));
    store<u8>(w + 1, <u8>(0x80 | (cp & 0x3f)));
    return w + 2;
  }
  if (cp < 0x10000) {
    store<u8>(w, <u8>(0xe0 | (cp >> 12)));
    store<u8>(w + 1, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(w + 2, <u8>(0x80 | (cp & 0x3f)));
    return w + 3;
  }
  store<u8>(w, <u8>(0xf0 | (cp >> 18)));
  store<u8>(w + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(w + 2, <u8>(0x80 | ((cp >> 6) & 0x3f)));
  store<u8>(w + 3, <u8>(0x80 | (cp & 0x3f)));
  return w + 4;
}
