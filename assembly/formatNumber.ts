/**
 * A double as JavaScript's `String(x)` writes it: the shortest digits that
 * read back to the same double (the nearest of them, ties to even), placed
 * as Number::toString places them (plain between 1e-7 and 1e21, otherwise
 * `d.ddde+N`). The core needs it for one thing: a number used as a
 * grouping key must intern to the same key as the host's `String(value)`,
 * whatever its spelling (`1.50`, `15e-1` and `1.5` are one key).
 *
 * The digits come from Ryū (ryu.ts): the shortest that read back, the
 * nearest of them; here they are stripped of trailing zeros (an integer such
 * as 1e20 is one digit, "1", placed by its exponent) and laid out.
 */
import { shortestDecimal, shortestDigits, shortestExponent } from "./ryu";
import { DIGIT_PAIRS } from "./ryuTables";

/** 10^i for i = 0..17: a shortest decimal has at most 17 digits. */
const POW10: StaticArray<u64> = [
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
  100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
  10000000000000000, 100000000000000000,
];

/** The number of decimal digits of d, 1 ≤ d < 10^17: log10 from the bit length, corrected by one comparison. */
@inline function decimalLength(d: u64): i32 {
  const t = ((64 - <i32>clz(d)) * 1233) >> 12; // floor or ceil of log10(2^bits)
  return t + 1 - <i32>(d < unchecked(POW10[t]));
}

/** Writes the two ASCII digits of v < 100 at p from the table: one load, one 16-bit store (computing them costs twice as much). */
@inline function putPair(p: usize, v: u32): void {
  store<u16>(p, load<u16>(changetype<usize>(DIGIT_PAIRS) + (<usize>v << 1)));
}

/** Writes v < 10^8 as exactly eight ASCII digits at p: two independent halves, so the divisions do not wait on each other. */
@inline function putEight(p: usize, v: u32): void {
  const high = v / 10000;
  const low = v - 10000 * high;
  const a = high / 100;
  const b = low / 100;
  putPair(p, a);
  putPair(p + 2, high - 100 * a);
  putPair(p + 4, b);
  putPair(p + 6, low - 100 * b);
}

/** The digits of the last shortest decimal, right-aligned in 17 ASCII bytes (leading zeros before them). */
const digitText = memory.data(24);
const DIGITS: i32 = 17;

/**
 * Writes d (1 ≤ d < 10^17) into digitText as 17 digits with leading zeros
 * (only the last eight when d < 10^8).
 * Fixed width in independent blocks of eight rather than digit after digit,
 * because each step of a digit loop waits on the division before it: one
 * 64-bit division splits off the low eight digits, the rest is 32-bit, whose
 * divisions by constants compile to multiplications.
 */
function writeDigits(d: u64): void {
  if (d < 100000000) {
    putEight(digitText + 9, <u32>d); // the caller reads only the last k ≤ 8
    return;
  }
  const high = <u32>(d / 100000000); // < 10^9
  const top = high / 100000000;
  putEight(digitText + 9, <u32>(d - <u64>high * 100000000));
  putEight(digitText + 1, high - 100000000 * top);
  store<u8>(digitText, <u8>(0x30 + top));
}

/** Copies len ≤ 17 bytes from src to dst (not overlapping) in a few overlapping wide moves, writing no byte outside dst..dst+len. */
@inline function copyShort(dst: usize, src: usize, len: i32): void {
  const n = <usize>len;
  if (len >= 8) {
    store<u64>(dst, load<u64>(src));
    if (len > 16) store<u64>(dst + 8, load<u64>(src + 8));
    store<u64>(dst + n - 8, load<u64>(src + n - 8));
  } else if (len >= 4) {
    store<u32>(dst, load<u32>(src));
    store<u32>(dst + n - 4, load<u32>(src + n - 4));
  } else if (len > 0) {
    store<u8>(dst, load<u8>(src));
    if (len > 1) store<u16>(dst + n - 2, load<u16>(src + n - 2));
  }
}

@inline function put(w: usize, c: i32): usize {
  store<u8>(w, <u8>c);
  return w + 1;
}

/** Writes String(x) for a finite x at `out`; returns the number of bytes (at most 26). */
export function formatNumber(x: f64, out: usize): i32 {
  let w = out;
  if (x == 0) return <i32>(put(w, 0x30) - out); // String(-0) is "0"
  const bits = reinterpret<u64>(x);
  if (x < 0) w = put(w, 0x2d);
  shortestDecimal(bits & 0x7fffffffffffffff);
  let d = shortestDigits;
  let e = shortestExponent;
  // String() wants the fewest digits: 1e20 is "1" and 20 zeros, not "100000" and 15 more.
  // d is a multiple of 10 when it is even and d/2 is a multiple of 5; d/2 × 5^-1 mod 2^64
  // is then (d/2)/5 and at most (2^64 - 1)/5, otherwise larger: no division instruction.
  while ((d & 1) == 0) {
    const q = (d >> 1) * 0xcccccccccccccccd;
    if (q > 0x3333333333333333) break;
    d = q;
    e++;
  }
  const k = decimalLength(d);
  const n = e + k; // x = 0.d1…dk × 10^n
  writeDigits(d);
  const first = digitText + <usize>(DIGITS - k);
  if (k <= n && n <= 21) {
    copyShort(w, first, k);
    w += <usize>k;
    for (let i = k; i < n; i++) w = put(w, 0x30);
  } else if (0 < n && n <= 21) {
    copyShort(w, first, n);
    w = put(w + <usize>n, 0x2e);
    copyShort(w, first + <usize>n, k - n);
    w += <usize>(k - n);
  } else if (-6 < n && n <= 0) {
    w = put(w, 0x30);
    w = put(w, 0x2e);
    for (let i = n; i < 0; i++) w = put(w, 0x30);
    copyShort(w, first, k);
    w += <usize>k;
  } else {
    w = put(w, load<u8>(first));
    if (k > 1) {
      w = put(w, 0x2e);
      copyShort(w, first + 1, k - 1);
      w += <usize>(k - 1);
    }
    w = put(w, 0x65);
    e = n - 1;
    w = put(w, e < 0 ? 0x2d : 0x2b);
    if (e < 0) e = -e;
    if (e >= 100) w = put(w, 0x30 + e / 100);
    if (e >= 10) w = put(w, 0x30 + (e / 10) % 10);
    w = put(w, 0x30 + e % 10);
  }
  return <i32>(w - out);
}

/**
 * True when the JSON number text at [p, end) is already what String()
 * writes for its value: no exponent, no `-0`, no trailing fraction zeros,
 * at most 15 significant digits (which always read back unchanged), and a
 * magnitude String() writes without an exponent.
 */
export function isCanonicalNumber(p: usize, end: usize): bool {
  const negative = p < end && load<u8>(p) == 0x2d;
  if (negative) p++;
  let intDigits = 0;
  let significant = 0;
  let zerosAfterPoint = 0;
  let point = false;
  let nonzero = false;
  let last: u32 = 0;
  for (let q = p; q < end; q++) {
    const c = <u32>load<u8>(q);
    if (c == 0x2e) { point = true; continue; }
    if (c - 0x30 >= 10) return false; // an exponent
    if (!point) intDigits++;
    if (c != 0x30) nonzero = true;
    if (nonzero) significant++;
    else if (point) zerosAfterPoint++;
    last = c;
  }
  if (!nonzero) return !point && end - p == 1 && !negative; // "0" only, not "-0" or "0.0"

  if (point && last == 0x30) return false;
  if (significant > 15 || intDigits > 21) return false;
  // 0.000001 is written plainly, 0.0000001 as 1e-7
  if (intDigits == 1 && load<u8>(p) == 0x30 && zerosAfterPoint > 5) return false;
  // trailing integer zeros count as significant above: 1e20 has one significant digit
  return true;
}
