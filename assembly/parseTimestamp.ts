/**
 * Event-time text → epoch milliseconds, the rule of src/engine/timestamp.ts
 * (docs/semantics.md, "Timestamps") done over bytes: a number is epoch ms when its
 * magnitude is ≥ 1e11, else epoch seconds; a string of digits is such a
 * number; any other string is ISO-8601 `YYYY-MM-DD[(T| )HH:MM[:SS[(.|,)f…]]]`
 * with optional whitespace and `Z` or `±HH[[:]MM]`, no zone meaning UTC.
 * Invalid dates (Feb 30, month 13, hour 25) give NaN.
 */
import { parseNumberText, digitsValue } from "./parseNumber";

/** Numbers at or above this magnitude are epoch milliseconds (must equal EPOCH_MS_THRESHOLD of the host). */
const EPOCH_MS_THRESHOLD: f64 = 1e11;
/** The years an ISO-8601 timestamp can spell: [0000-01-01, 10000-01-01) in epoch ms. */
export const MIN_EVENT_TIME_MS: f64 = -62167219200000;
export const MAX_EVENT_TIME_MS: f64 = 253402300800000;

/** Epoch s or ms (by magnitude) → epoch ms; NaN for non-finite. */
export function epochToMs(n: f64): f64 {
  if (!isFinite(n)) return NaN;
  return Math.abs(n) >= EPOCH_MS_THRESHOLD ? n : n * 1000;
}

/**
 * Byte length of the JavaScript whitespace character at p (what `trim()`
 * and `\s` remove: ASCII tab–CR and space, NBSP, U+1680, U+2000–U+200A,
 * U+2028/9, U+202F, U+205F, U+3000, U+FEFF), or 0.
 */
export function jsSpaceAt(p: usize, end: usize): i32 {
  const c = <u32>load<u8>(p);
  if (c == 0x20 || c - 0x09 < 5) return 1;
  if (c < 0xc2) return 0;
  if (c == 0xc2) return p + 1 < end && load<u8>(p + 1) == 0xa0 ? 2 : 0;
  if (p + 2 >= end) return 0;
  const c1 = <u32>load<u8>(p + 1);
  const c2 = <u32>load<u8>(p + 2);
  if (c == 0xe1) return c1 == 0x9a && c2 == 0x80 ? 3 : 0;
  if (c == 0xe2) {
    if (c1 == 0x80) return c2 - 0x80 < 11 || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf ? 3 : 0;
    return c1 == 0x81 && c2 == 0x9f ? 3 : 0;
  }
  if (c == 0xe3) return c1 == 0x80 && c2 == 0x80 ? 3 : 0;
  if (c == 0xef) return c1 == 0xbb && c2 == 0xbf ? 3 : 0;
  return 0;
}

/** Start of [p, end) without leading JavaScript whitespace. */
export function trimStart(p: usize, end: usize): usize {
  // the common case: printable ASCII first
  if (p < end && <u32>load<u8>(p) - 0x21 < 0x5f) return p;
  while (p < end) {
    const n = jsSpaceAt(p, end);
    if (n == 0) break;
    p += <usize>n;
  }
  return p;
}

/** End of [p, end) without trailing JavaScript whitespace. */
export function trimEnd(p: usize, end: usize): usize {
  if (end > p && <u32>load<u8>(end - 1) - 0x21 < 0x5f) return end;
  while (end > p) {
    // whitespace is 1–3 bytes: try each length ending at `end`
    if (jsSpaceAt(end - 1, end) == 1) { end--; continue; }
    if (end - p >= 2 && jsSpaceAt(end - 2, end) == 2) { end -= 2; continue; }
    if (end - p >= 3 && jsSpaceAt(end - 3, end) == 3) { end -= 3; continue; }
    break;
  }
  return end;
}

@inline function digitAt(p: usize): i32 {
  return <i32>load<u8>(p) - 0x30;
}

/** Two ASCII digits at p as a number, or -1. */
@inline function twoDigits(p: usize): i32 {
  const a = digitAt(p), b = digitAt(p + 1);
  if (<u32>a >= 10 || <u32>b >= 10) return -1;
  return a * 10 + b;
}

/** True for `[+-]?\d+(\.\d+)?([eE][+-]?\d+)?` exactly (a timestamp string read as a number). */
function isEpochText(p: usize, end: usize): bool {
  if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
  let from = p;
  while (p < end && <u32>digitAt(p) < 10) p++;
  if (p == from) return false;
  if (p < end && load<u8>(p) == 0x2e) {
    from = ++p;
    while (p < end && <u32>digitAt(p) < 10) p++;
    if (p == from) return false;
  }
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
    from = p;
    while (p < end && <u32>digitAt(p) < 10) p++;
    if (p == from) return false;
  }
  return p == end;
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian; d may overflow the month, as Date.UTC lets it). */
function daysFromCivil(y: i32, m: i32, d: i32): i64 {
  if (m <= 2) y--;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return <i64>era * 146097 + <i64>doe - 719468;
}

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** ISO-8601 text (already trimmed) → epoch ms, or NaN. */
function parseIso(p: usize, end: usize): f64 {
  if (end - p < 10) return NaN;
  const y1 = twoDigits(p), y2 = twoDigits(p + 2);
  if (y1 < 0 || y2 < 0 || load<u8>(p + 4) != 0x2d || load<u8>(p + 7) != 0x2d) return NaN;
  const month = twoDigits(p + 5), day = twoDigits(p + 8);
  if (month < 0 || day < 0) return NaN;
  const year = y1 * 100 + y2;
  let q = p + 10;
  let hour = 0, minute = 0, second = 0;
  let fracStart: usize = 0, fracEnd: usize = 0;
  // the time is optional; if it does not parse, what follows the date must be whitespace and a zone
  if (q + 6 <= end && (load<u8>(q) == 0x54 || load<u8>(q) == 0x20)) {
    const h = twoDigits(q + 1);
    const mi = twoDigits(q + 4);
    if (h >= 0 && load<u8>(q + 3) == 0x3a && mi >= 0) {
      hour = h;
      minute = mi;
      q += 6;
      if (q + 3 <= end && load<u8>(q) == 0x3a) {
        const s = twoDigits(q + 1);
        if (s >= 0) {
          second = s;
          q += 3;
          if (q + 1 < end && (load<u8>(q) == 0x2e || load<u8>(q) == 0x2c) && <u32>digitAt(q + 1) < 10) {
            fracStart = q + 1;
            q++;
            while (q < end && <u32>digitAt(q) < 10) q++;
            fracEnd = q;
          }
        }
      }
    }
  }
  // \s* then an optional zone, then the end
  while (q < end) {
    const n = jsSpaceAt(q, end);
    if (n == 0) break;
    q += <usize>n;
  }
  let offsetMinutes = 0;
  if (q < end) {
    const c = load<u8>(q);
    if (c == 0x5a || c == 0x7a) {
      q++;
    } else if (c == 0x2b || c == 0x2d) {
      if (q + 3 > end) return NaN;
      const oh = twoDigits(q + 1);
      if (oh < 0) return NaN;
      let om = 0;
      let z = q + 3;
      if (z + 3 <= end && load<u8>(z) == 0x3a && twoDigits(z + 1) >= 0) {
        om = twoDigits(z + 1);
        z += 3;
      } else if (z + 2 <= end && twoDigits(z) >= 0) {
        om = twoDigits(z);
        z += 2;
      }
      offsetMinutes = (c == 0x2d ? -1 : 1) * (oh * 60 + om);
      q = z;
    }
  }
  if (q != end) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  // the date must exist, and the time must not roll into the next day (23:59:60), unless the hour is 24 (as the host's check)
  if (hour < 24 && (day > daysInMonth(year, month) || (hour == 23 && minute == 59 && second == 60))) return NaN;
  let ms = <f64>(daysFromCivil(year, month, 1) + <i64>(day - 1)) * 86400000
    + <f64>hour * 3600000 + <f64>minute * 60000 + <f64>second * 1000;
  if (fracStart != 0) ms += digitsValue(fracStart, fracEnd, -<i32>(fracEnd - fracStart)) * 1000;
  if (offsetMinutes != 0) ms -= <f64>offsetMinutes * 60000;
  return ms;
}

/** A timestamp given as string text (escapes already resolved) → epoch ms, or NaN. */
export function timestampFromText(p: usize, end: usize): f64 {
  if (isEpochText(p, end)) return epochToMs(parseNumberText(p, end, false));
  const from = trimStart(p, end);
  return parseIso(from, trimEnd(from, end));
}
