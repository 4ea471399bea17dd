/**
 * An exact decimal with up to MAX_DIGITS significant digits: the slow but
 * always-correct path of number parsing (shortest number formatting is
 * ryu.ts).
 *
 * value = 0.d[0]d[1]…d[nd-1] × 10^dp, digits stored as 0–9 (not ASCII) in
 * one static block. Multiplying or dividing by a power of two is exact up to
 * the digit limit; `trunc` remembers that non-zero digits were dropped past
 * it, which is all correct rounding needs (800 digits cover every halfway
 * point between two doubles). Only one decimal is used at a time.
 *
 * Used rarely (numbers the fast paths of parseNumber.ts cannot decide), so
 * it favours plainness over speed.
 */

/** Digits kept; more set `trunc`. */
export const MAX_DIGITS: i32 = 800;
/** Largest shift per step: a u64 accumulator holds 10 × 2^60. */
const MAX_SHIFT: i32 = 60;
/** Room for the digits a left shift adds before they are cut back to MAX_DIGITS. */
const SLACK: i32 = 24;

/** A decimal number being converted. */
export class Decimal {
  d: usize = heap.alloc(<usize>(MAX_DIGITS + SLACK));
  nd: i32 = 0;
  dp: i32 = 0;
  neg: bool = false;
  trunc: bool = false;

  /** Digit `i` (0–9). */
  @inline digit(i: i32): i32 {
    return <i32>load<u8>(this.d + <usize>i);
  }

  /** Sets the value to zero. */
  clear(): void {
    this.nd = 0;
    this.dp = 0;
    this.neg = false;
    this.trunc = false;
  }

  /** Appends a digit of the input; beyond MAX_DIGITS only records that a non-zero digit was dropped. */
  @inline pushDigit(v: i32): void {
    if (this.nd < MAX_DIGITS) {
      store<u8>(this.d + <usize>this.nd, <u8>v);
      this.nd++;
    } else if (v != 0) {
      this.trunc = true;
    }
  }

  /** Sets the value to the integer `v`. */
  assign(v: u64): void {
    this.clear();
    let n = 0;
    const tmp = this.d + <usize>(MAX_DIGITS - 24);
    while (v > 0) {
      const q = v / 10;
      store<u8>(tmp + <usize>n, <u8>(v - q * 10));
      n++;
      v = q;
    }
    // the digits came out lowest first
    for (let i = 0; i < n; i++) store<u8>(this.d + <usize>i, load<u8>(tmp + <usize>(n - 1 - i)));
    this.nd = n;
    this.dp = n;
    this.trim();
  }

  /** Drops trailing zero digits. */
  trim(): void {
    while (this.nd > 0 && this.digit(this.nd - 1) == 0) this.nd--;
    if (this.nd == 0) this.dp = 0;
  }

  /** Multiplies by 2^k (k > 0) or divides by 2^-k (k < 0). */
  shift(k: i32): void {
    if (this.nd == 0) return;
    if (k > 0) {
      while (k > MAX_SHIFT) { this.leftShift(MAX_SHIFT); k -= MAX_SHIFT; }
      this.leftShift(k);
    } else if (k < 0) {
      while (k < -MAX_SHIFT) { this.rightShift(MAX_SHIFT); k += MAX_SHIFT; }
      this.rightShift(-k);
    }
  }

  private rightShift(k: i32): void {
    let r = 0;
    let w = 0;
    let n: u64 = 0;
    // Read digits until the accumulator holds at least one digit's worth after the shift.
    for (; (n >> <u64>k) == 0; r++) {
      if (r >= this.nd) {
        if (n == 0) { this.nd = 0; this.dp = 0; return; }
        while ((n >> <u64>k) == 0) { n = n * 10; r++; }
        break;
      }
      n = n * 10 + <u64>this.digit(r);
    }
    this.dp -= r - 1;
    const mask: u64 = (<u64>1 << <u64>k) - 1;
    for (; r < this.nd; r++) {
      const c = <u64>this.digit(r);
      const dig = n >> <u64>k;
      n &= mask;
      store<u8>(this.d + <usize>w, <u8>dig);
      w++;
      n = n * 10 + c;
    }
    while (n > 0) {
      const dig = n >> <u64>k;
      n &= mask;
      if (w < MAX_DIGITS) {
        store<u8>(this.d + <usize>w, <u8>dig);
        w++;
      } else if (dig > 0) {
        this.trunc = true;
      }
      n = n * 10;
    }
    this.nd = w;
    this.trim();
  }

  private leftShift(k: i32): void {
    // At most 19 new digits (2^60 < 10^19); write from the right, then move the result to the front.
    const top = this.nd + 19;
    let w = top;
    let n: u64 = 0;
    for (let r = this.nd - 1; r >= 0; r--) {
      n += <u64>this.digit(r) << <u64>k;
      const q = n / 10;
      w--;
      store<u8>(this.d + <usize>w, <u8>(n - q * 10));
      n = q;
    }
    while (n > 0) {
      const q = n / 10;
      w--;
      store<u8>(this.d + <usize>w, <u8>(n - q * 10));
      n = q;
    }
    const count = top - w;
    memory.copy(this.d, this.d + <usize>w, <usize>count);
    this.dp += count - this.nd;
    this.nd = count;
    if (this.nd > MAX_DIGITS) {
      for (let i = MAX_DIGITS; i < this.nd; i++) if (this.digit(i) != 0) this.trunc = true;
      this.nd = MAX_DIGITS;
    }
    this.trim();
  }

  /** True if cutting to `nd` digits should round up (half to even; a dropped tail counts as above half). */
  shouldRoundUp(nd: i32): bool {
    if (nd < 0 || nd >= this.nd) return false;
    if (this.digit(nd) == 5 && nd + 1 == this.nd) {
      if (this.trunc) return true;
      return nd > 0 && (this.digit(nd - 1) & 1) == 1;
    }
    return this.digit(nd) >= 5;
  }

  /** The integer part, rounded to nearest (half to even); saturates past 2^64. */
  roundedInteger(): u64 {
    if (this.dp > 20) return u64.MAX_VALUE;
    let i = 0;
    let n: u64 = 0;
    for (; i < this.dp && i < this.nd; i++) n = n * 10 + <u64>this.digit(i);
    for (; i < this.dp; i++) n *= 10;
    if (this.shouldRoundUp(this.dp)) n++;
    return n;
  }
}

const POWTAB: StaticArray<i32> = [1, 3, 6, 9, 13, 16, 19, 23, 26];

/**
 * The double nearest to the decimal (ties to even), as IEEE bits with the
 * sign. Destroys the decimal's contents.
 */
export function decimalToDoubleBits(dec: Decimal): u64 {
  const sign: u64 = dec.neg ? <u64>1 << 63 : 0;
  if (dec.nd == 0) return sign;
  if (dec.dp > 310) return sign | 0x7ff0000000000000;
  if (dec.dp < -330) return sign;
  let exp = 0;
  // Scale by powers of two into [0.5, 1), counting them.
  while (dec.dp > 0) {
    const n = dec.dp >= POWTAB.length ? 27 : unchecked(POWTAB[dec.dp]);
    dec.shift(-n);
    exp += n;
  }
  while (dec.dp < 0 || (dec.dp == 0 && dec.digit(0) < 5)) {
    const n = -dec.dp >= POWTAB.length ? 27 : unchecked(POWTAB[-dec.dp]);
    dec.shift(n);
    exp -= n;
  }
  exp--; // into [1, 2)
  const BIAS = -1023;
  if (exp < BIAS + 1) {
    const n = BIAS + 1 - exp;
    dec.shift(-n);
    exp += n;
  }
  if (exp - BIAS >= 0x7ff) return sign | 0x7ff0000000000000;
  dec.shift(53);
  let mant = dec.roundedInteger();
  if (mant == <u64>2 << 52) {
    mant >>= 1;
    exp++;
    if (exp - BIAS >= 0x7ff) return sign | 0x7ff0000000000000;
  }
  if ((mant & (<u64>1 << 52)) == 0) exp = BIAS; // subnormal
  return sign | (mant & ((<u64>1 << 52) - 1)) | (<u64>((exp - BIAS) & 0x7ff) << 52);
}
