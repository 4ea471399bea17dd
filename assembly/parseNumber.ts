/**
 * Decimal text → the nearest double, bit-identical to JavaScript's
 * `Number(text)` (round to nearest, ties to even, overflow to ±Infinity,
 * underflow through the subnormals to ±0).
 *
 * Three steps, each taken only when the one before cannot decide:
 * 1. Clinger's fast path: ≤ 2^53 mantissa and |exponent| ≤ 22 is one exact
 *    multiplication or division of two exactly representable doubles;
 * 2. Eisel–Lemire: the 64-bit mantissa times a 128-bit power of five
 *    (pow5Table.ts) decides every case with ≤ 19 significant digits, and
 *    inputs with more when rounding the cut mantissa up or down agrees;
 * 3. an exact decimal (decimal.ts) for whatever is left.
 *
 * `scanNumber` reads the digits once, collecting what all three steps need.
 * Two grammars: JSON's (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) and the
 * looser one of numeric strings (`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`,
 * as `Number()` reads a CSV cell or a quoted value).
 */
import { Decimal, decimalToDoubleBits } from "./decimal";
import { POW5_128, POW5_MIN_Q, POW5_MAX_Q } from "./pow5Table";

/** What scanNumber found. */
let mantissa: u64 = 0;
let exp10: i32 = 0;
let negative: bool = false;
let manyDigits: bool = false;
/** Where the digits start and end, for the exact path. */
let digitsStart: usize = 0;
let digitsEnd: usize = 0;
/** The exponent as written after e/E (saturated). */
let writtenExp: i64 = 0;

const exact = new Decimal();

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** True when the 8 bytes of w (little-endian) are all ASCII digits. */
@inline function eightDigits(w: u64): bool {
  return ((w & 0xf0f0f0f0f0f0f0f0) | (((w + 0x0606060606060606) & 0xf0f0f0f0f0f0f0f0) >> 4)) == 0x3333333333333333;
}

/** The value of 8 ASCII digits (first digit in the lowest byte), in three multiplications. */
@inline function eightDigitsValue(w: u64): u64 {
  w -= 0x3030303030303030;
  w = w * 10 + (w >> 8);
  return (((w & 0x000000ff000000ff) * 0x000f424000000064) + (((w >> 16) & 0x000000ff000000ff) * 0x0000271000000001)) >> 32;
}

/**
 * Scans a number at [p, end). `json` selects JSON's grammar; otherwise the
 * numeric-string grammar. Returns the address just past the number, or 0
 * when the text does not start with a number of that grammar.
 */
export function scanNumber(p: usize, end: usize, json: bool): usize {
  negative = false;
  manyDigits = false;
  if (p < end) {
    const c = <u32>load<u8>(p);
    if (c == 0x2d) { negative = true; p++; }
    else if (c == 0x2b && !json) p++;
  }
  digitsStart = p;
  let m: u64 = 0;
  let significant = 0; // digits counted into m, from the first non-zero one
  let dropped = 0;     // integer digits beyond the 19 that fit
  const intStart = p;
  // eight digits at a time while they all count (after the first non-zero digit, up to 19)
  if (p + 8 <= end && load<u8>(p) != 0x30) {
    while (p + 8 <= end && significant <= 11) {
      const w = load<u64>(p);
      if (!eightDigits(w)) break;
      m = m * 100000000 + eightDigitsValue(w);
      significant += 8;
      p += 8;
    }
  }
  while (p < end && isDigit(<u32>load<u8>(p))) {
    const d = <u32>load<u8>(p) - 0x30;
    if (significant < 19) {
      m = m * 10 + <u64>d;
      if (m != 0) significant++;
    } else {
      dropped++;
      if (d != 0) manyDigits = true;
    }
    p++;
  }
  const intDigits = <i32>(p - intStart);
  if (json) {
    if (intDigits == 0) return 0;
    if (intDigits > 1 && load<u8>(intStart) == 0x30) return 0; // no leading zeros
  }
  let fracDigits = 0;
  let fracCounted = 0;
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    const fracStart = p;
    if (significant > 0) {
      while (p + 8 <= end && significant <= 11) {
        const w = load<u64>(p);
        if (!eightDigits(w)) break;
        m = m * 100000000 + eightDigitsValue(w);
        significant += 8;
        fracCounted += 8;
        p += 8;
      }
    }
    while (p < end && isDigit(<u32>load<u8>(p))) {
      const d = <u32>load<u8>(p) - 0x30;
      if (significant < 19) {
        m = m * 10 + <u64>d;
        if (m != 0) significant++;
        fracCounted++;
      } else if (d != 0) {
        manyDigits = true;
      }
      p++;
    }
    fracDigits = <i32>(p - fracStart);
    if (json && fracDigits == 0) return 0;
    if (!json && intDigits == 0 && fracDigits == 0) return 0;
  } else if (intDigits == 0) {
    return 0;
  }
  digitsEnd = p;
  let e: i64 = 0;
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    let q = p + 1;
    let eneg = false;
    if (q < end && (load<u8>(q) == 0x2b || load<u8>(q) == 0x2d)) { eneg = load<u8>(q) == 0x2d; q++; }
    const expStart = q;
    while (q < end && isDigit(<u32>load<u8>(q))) {
      // saturate: any exponent beyond ±10^6 already means 0 or Infinity
      if (e < 1000000) e = e * 10 + <i64>(<u32>load<u8>(q) - 0x30);
      q++;
    }
    if (q == expStart) return 0;
    p = q;
    if (eneg) e = -e;
  }
  mantissa = m;
  writtenExp = e;
  exp10 = <i32>(e + <i64>dropped - <i64>fracCounted);
  return p;
}

/** The double of the number scanNumber just read. */
export function numberValue(): f64 {
  const m = mantissa;
  const q = exp10;
  if (!manyDigits) {
    if (m == 0) return negative ? -0.0 : 0.0;
    if (m <= (<u64>1 << 53) && q >= -22 && q <= 22) {
      const v = <f64>m;
      const r = q < 0 ? v / unchecked(POW10[-q]) : v * unchecked(POW10[q]);
      return negative ? -r : r;
    }
    const bits = eiselLemire(m, q);
    if (bits != u64.MAX_VALUE) return signed(bits);
  } else {
    // The first 19 digits are exact, the rest only "not all zero": the value lies in (m, m+1) × 10^q.
    const low = eiselLemire(m, q);
    if (low != u64.MAX_VALUE && low == eiselLemire(m + 1, q)) return signed(low);
  }
  return exactValue();
}

@inline function signed(bits: u64): f64 {
  return reinterpret<f64>(negative ? bits | (<u64>1 << 63) : bits);
}

/** The exact path: every digit into a Decimal. */
function exactValue(): f64 {
  const dec = exact;
  dec.clear();
  dec.neg = negative;
  let dp = 0;
  let seenPoint = false;
  let leading = true;
  for (let p = digitsStart; p < digitsEnd; p++) {
    const c = <u32>load<u8>(p);
    if (c == 0x2e) { seenPoint = true; continue; }
    const d = <i32>(c - 0x30);
    if (leading && d == 0) {
      // leading zeros only move the decimal point
      if (seenPoint) dp--;
      continue;
    }
    leading = false;
    if (!seenPoint) dp++;
    dec.pushDigit(d);
  }
  if (dec.nd == 0) return negative ? -0.0 : 0.0;
  const total = <i64>dp + writtenExp;
  // beyond these the value is 0 or Infinity anyway (decimalToDoubleBits checks ±310)
  dec.dp = total > 100000 ? 100000 : total < -100000 ? -100000 : <i32>total;
  return reinterpret<f64>(decimalToDoubleBits(dec));
}

/** 128-bit product of two u64, high half into `productHigh`, low half returned. */
let productHigh: u64 = 0;
@inline function mul128(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff, aHi = a >> 32;
  const bLo = b & 0xffffffff, bHi = b >> 32;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const hh = aHi * bHi;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  productHigh = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return (mid << 32) | (ll & 0xffffffff);
}

/**
 * Eisel–Lemire: IEEE bits (without sign) of m × 10^q, or u64.MAX_VALUE
 * when the 128-bit product cannot decide the rounding.
 */
function eiselLemire(m: u64, q: i32): u64 {
  if (m == 0 || q < POW5_MIN_Q) return 0;
  if (q > POW5_MAX_Q) return 0x7ff0000000000000;
  const lz = <i32>clz(m);
  const w = m << <u64>lz;
  const index = (q - POW5_MIN_Q) << 1;
  let lo = mul128(w, unchecked(POW5_128[index]));
  let hi = productHigh;
  const precisionMask: u64 = u64.MAX_VALUE >> 55;
  if ((hi & precisionMask) == precisionMask) {
    // the low 64 bits of the power matter: add their product
    mul128(w, unchecked(POW5_128[index + 1]));
    const secondHi = productHigh;
    const newLo = lo + secondHi;
    if (newLo < lo) hi++;
    lo = newLo;
  }
  // the paper's one undecidable pattern: leave it to the exact path
  if (lo == u64.MAX_VALUE && (q < -27 || q > 55)) return u64.MAX_VALUE;
  const upperBit = <i32>(hi >> 63);
  const shift = upperBit + 64 - 52 - 3;
  let mant = hi >> <u64>shift;
  // power(q) = floor(q × log2(10)) + 63
  let power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - lz + 1023;
  if (power2 <= 0) {
    if (-power2 + 1 >= 64) return 0;
    mant >>= <u64>(-power2 + 1);
    mant += mant & 1;
    mant >>= 1;
    power2 = mant < (<u64>1 << 52) ? 0 : 1;
    return (mant & ((<u64>1 << 52) - 1)) | (<u64>power2 << 52);
  }
  // exactly halfway, even below: round down, not up
  if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1 && (mant << <u64>shift) == hi) mant &= ~(<u64>1);
  mant += mant & 1;
  mant >>= 1;
  if (mant >= (<u64>2 << 52)) {
    mant = <u64>1 << 52;
    power2++;
  }
  mant &= ~(<u64>1 << 52);
  if (power2 >= 0x7ff) return 0x7ff0000000000000;
  return mant | (<u64>power2 << 52);
}

/** Parses the whole of [p, end) in the given grammar; NaN if it is not exactly one number. */
export function parseNumberText(p: usize, end: usize, json: bool): f64 {
  const after = scanNumber(p, end, json);
  if (after == 0 || after != end) return NaN;
  return numberValue();
}

/** The double nearest to the digits at [p, end) × 10^scale (digits only, as an ISO fraction). */
export function digitsValue(p: usize, end: usize, scale: i32): f64 {
  if (scanNumber(p, end, false) != end) return NaN;
  exp10 += scale;
  writtenExp += <i64>scale;
  return numberValue();
}
