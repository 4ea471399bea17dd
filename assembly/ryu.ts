/**
 * The shortest decimal digits of a double by Ryū (Ulf Adams, "Ryū: fast
 * float-to-string conversion", PLDI 2018): of the decimals that read back
 * to the same double, one with the fewest digits, and of those the nearest
 * to the double (ties to an even last digit) — what ECMAScript's
 * Number::toString asks for, so formatNumber.ts only has to lay it out.
 *
 * The double is m2 × 2^e2 with its rounding interval [mm, mp] around it
 * (half-way to each neighbour; both ends included when m2 is even, as
 * round-to-nearest-even reads them back). All three are scaled by one
 * power of ten, 10^-e10, chosen so the scaled interval still holds a few
 * more digits than needed; the scaling is one 53 × 125-bit product shared
 * by the three (tables in ryuTables.ts), exact enough that each floor is right.
 * Then digits are dropped from all three while the interval still tells
 * them apart, remembering whether anything non-zero was dropped (to round
 * the middle correctly and to know whether an included end is really a
 * decimal with fewer digits).
 *
 * Everything is u64 and 32-bit partial products (AssemblyScript has no
 * u128); nothing is allocated. The result is left in two globals.
 */
import { RYU_POW5, RYU_POW5_INV, RYU_POW5_BITS } from "./ryuTables";

/** The decimal significand of the last shortestDecimal: at most 17 digits, possibly with trailing zeros. */
export let shortestDigits: u64 = 0;
/** Its decimal exponent: the value is shortestDigits × 10^shortestExponent. */
export let shortestExponent: i32 = 0;

/** The high word of the last umul128 (a second return value without allocating). */
let productHigh: u64 = 0;
/** The scaled upper and lower ends of the interval, beside mulShiftAll's return value. */
let scaledUpper: u64 = 0;
let scaledLower: u64 = 0;

/** floor(e × log10(2)) for 0 ≤ e ≤ 1650 (checked by the table script). */
@inline function log10Pow2(e: i32): i32 { return <i32>((<u32>e * 78913) >> 18); }
/** floor(e × log10(5)) for 0 ≤ e ≤ 2620. */
@inline function log10Pow5(e: i32): i32 { return <i32>((<u32>e * 732923) >> 20); }
/** The bit length of 5^e (1 for e = 0), for 0 ≤ e ≤ 3528. */
@inline function pow5Bits(e: i32): i32 { return <i32>((<u32>e * 1217359) >> 19) + 1; }

/**
 * a × b for a < 2^53: returns the low 64 bits, leaves the high 64 in
 * productHigh. Four 32 × 32-bit products; a's high half is under 2^21, so
 * each column sum is added straight into the next product without overflow.
 */
@inline function umul128(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const p00 = a0 * b0;
  const t = a1 * b0 + (p00 >> 32); // < 2^53 + 2^32
  const u = a0 * b1 + (t & 0xffffffff); // < 2^64
  productHigh = a1 * b1 + (t >> 32) + (u >> 32);
  return (u << 32) | (p00 & 0xffffffff);
}

/**
 * floor(4·m2 × mul / 2^j), and the same for 4·m2 + 2 (into scaledUpper) and
 * 4·m2 − 1 − mmShift (into scaledLower), mul = mulHi·2^64 + mulLo.
 * m2 × mul is computed once (192 bits); the ends differ from 4·m2 × mul by
 * 2·mul and (1 + mmShift)·mul, which are added and subtracted, so one
 * product serves all three. 64 < j < 128 (asserted by the table script).
 */
@inline function mulShiftAll(m2: u64, mulHi: u64, mulLo: u64, j: i32, mmShift: u32): u64 {
  const aLo = umul128(m2, mulLo);
  const aHi = productHigh;
  const bLo = umul128(m2, mulHi);
  const bHi = productHigh;
  const p0 = aLo;
  const p1 = aHi + bLo;
  const p2 = bHi + <u64>(p1 < aHi);
  // 4 · m2 · mul: fits, m2 < 2^53 and mul < 2^126
  const r0 = p0 << 2;
  const r1 = (p1 << 2) | (p0 >> 62);
  const r2 = (p2 << 2) | (p1 >> 62);
  const s = <u64>(j - 64);
  const t = <u64>(128 - j);
  // 2 · mul
  const d0 = mulLo << 1;
  const d1 = (mulHi << 1) | (mulLo >> 63);

  // upper end: r + 2·mul
  const u0 = r0 + d0;
  const c0 = <u64>(u0 < r0);
  const v1 = r1 + d1;
  const cv = <u64>(v1 < r1);
  const u1 = v1 + c0;
  const cu = <u64>(u1 < v1);
  const u2 = r2 + cv + cu;
  scaledUpper = (u1 >> s) | (u2 << t);

  // lower end: r − mul, or r − 2·mul when the gap below is half as wide
  const e0 = mmShift ? d0 : mulLo;
  const e1 = mmShift ? d1 : mulHi;
  const l0 = r0 - e0;
  const b0 = <u64>(r0 < e0);
  const w1 = r1 - e1;
  const bw = <u64>(r1 < e1);
  const l1 = w1 - b0;
  const bl = <u64>(w1 < b0);
  const l2 = r2 - bw - bl;
  scaledLower = (l1 >> s) | (l2 << t);

  return (r1 >> s) | (r2 << t);
}

/** True when 5^p divides v (v ≠ 0): divides by 5 exactly with the inverse of 5 mod 2^64, no division instruction. */
function multipleOfPowerOf5(v: u64, p: i32): bool {
  // v is a multiple of 5 exactly when v × 5^-1 (mod 2^64) ≤ (2^64 − 1) / 5; the product is then v / 5
  for (let n = 0; n < p; n++) {
    const q = v * 0xcccccccccccccccd;
    if (q > 0x3333333333333333) return false;
    v = q;
  }
  return true;
}

/** True when 2^p divides v (v ≠ 0). */
@inline function multipleOfPowerOf2(v: u64, p: i32): bool {
  return <i32>ctz(v) >= p;
}

/**
 * Finds the shortest decimal that reads back to the double with these bits
 * (finite, positive, non-zero: sign bit clear, not 0, not Inf/NaN), the one
 * nearest to it among those, ties to an even last digit. Leaves it as
 * shortestDigits × 10^shortestExponent; the digits may end in zeros (an
 * integer such as 1e20 can come back as 100000 × 10^15), which the caller
 * strips if it wants the fewest digits.
 */
export function shortestDecimal(bits: u64): void {
  const biased = <i32>(bits >> 52);
  const fraction = bits & 0xfffffffffffff;
  // An integer below 2^53 is its own answer: the gap to its neighbours is at most 1, and a
  // decimal with fewer digits would be a multiple of 10 other than it, so at least 1 away,
  // outside half the gap (Ryū's small-integer path; the caller strips the zeros).
  const intShift = 1075 - biased; // x = (fraction | 2^52) / 2^intShift
  if (<u32>intShift <= 52) {
    const m = fraction | (<u64>1 << 52);
    if ((m & ((<u64>1 << <u64>intShift) - 1)) == 0) {
      shortestDigits = m >> <u64>intShift;
      shortestExponent = 0;
      return;
    }
  }
  let m2: u64;
  let e2: i32;
  // Two extra bits of exponent make room for the interval's ends, 4·m2 ± 2 (or − 1).
  if (biased == 0) {
    m2 = fraction;
    e2 = 1 - 1023 - 52 - 2;
  } else {
    m2 = fraction | (<u64>1 << 52);
    e2 = biased - 1023 - 52 - 2;
  }
  // An even mantissa reads back from the very ends of its interval (ties to even).
  const acceptBounds = (m2 & 1) == 0;
  const mv = m2 << 2;
  // The gap below is half as wide when the mantissa is a power of two (mmShift = 0), except at
  // the smallest normal exponent, whose neighbour below is a subnormal just as far away.
  const mmShift: u32 = fraction != 0 || biased <= 1 ? 1 : 0;

  let vr: u64, vp: u64, vm: u64;
  let e10: i32;
  let vmIsTrailingZeros = false;
  let vrIsTrailingZeros = false;
  if (e2 >= 0) {
    // Divide by 10^q, q = floor(log10 2^e2) less one for e2 > 3: the scaled values keep at
    // least one digit past the shortest, so the loop below, not the scaling, decides rounding.
    const q = log10Pow2(e2) - <i32>(e2 > 3);
    e10 = q;
    const k = RYU_POW5_BITS + pow5Bits(q) - 1;
    const i = -e2 + q + k;
    vr = mulShiftAll(m2, unchecked(RYU_POW5_INV[2 * q]), unchecked(RYU_POW5_INV[2 * q + 1]), i, mmShift);
    vp = scaledUpper;
    vm = scaledLower;
    if (q <= 21) {
      // The scaled values are exact when 5^q divides the unscaled one (2^q divides 2^e2); only
      // for small q can that change the digits, and the paper's proof takes q <= 21 (the tests
      // sweep every mantissa with an end divisible by 5^20 or more, at every exponent).
      const mvMod5 = <u32>(mv - 5 * (mv / 5));
      if (mvMod5 == 0) {
        vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
      } else if (acceptBounds) {
        vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q);
      } else {
        // an excluded upper end that is exactly a shorter decimal must not be chosen
        vp -= <u64>multipleOfPowerOf5(mv + 2, q);
      }
    }
  } else {
    // Multiply by 10^-e10 = 5^i · 2^-q (i = -e2 - q), again keeping a digit past the shortest.
    const q = log10Pow5(-e2) - <i32>(-e2 > 1);
    e10 = q + e2;
    const i = -e2 - q;
    const k = pow5Bits(i) - RYU_POW5_BITS;
    const j = q - k;
    vr = mulShiftAll(m2, unchecked(RYU_POW5[2 * i]), unchecked(RYU_POW5[2 * i + 1]), j, mmShift);
    vp = scaledUpper;
    vm = scaledLower;
    if (q <= 1) {
      // mv × 5^i / 2^q with q ≤ 1: mv = 4·m2 is even, so nothing was dropped from the middle
      vrIsTrailingZeros = true;
      if (acceptBounds) {
        // the lower end mv − 1 − mmShift is even (exact) only when mmShift = 1
        vmIsTrailingZeros = mmShift == 1;
      } else {
        // the upper end mv + 2 is even, so exact: exclude it
        --vp;
      }
    } else if (q < 63) {
      // exact when 2^q divides mv (5^i adds no factor of two)
      vrIsTrailingZeros = multipleOfPowerOf2(mv, q);
    }
  }

  // Drop digits while the interval still holds a shorter decimal.
  let removed: i32 = 0;
  let output: u64;
  if (vmIsTrailingZeros || vrIsTrailingZeros) {
    // Rare (exact ends or middles): track exactly what was dropped.
    let lastRemovedDigit: u32 = 0;
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vmMod10 = <u32>(vm - 10 * vmDiv10);
      const vrDiv10 = vr / 10;
      const vrMod10 = <u32>(vr - 10 * vrDiv10);
      vmIsTrailingZeros &= vmMod10 == 0;
      vrIsTrailingZeros &= lastRemovedDigit == 0;
      lastRemovedDigit = vrMod10;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      removed++;
    }
    if (vmIsTrailingZeros) {
      // The included lower end is itself a short decimal: keep dropping its zeros while it stays one.
      for (;;) {
        const vmDiv10 = vm / 10;
        const vmMod10 = <u32>(vm - 10 * vmDiv10);
        if (vmMod10 != 0) break;
        const vrDiv10 = vr / 10;
        const vrMod10 = <u32>(vr - 10 * vrDiv10);
        vrIsTrailingZeros &= lastRemovedDigit == 0;
        lastRemovedDigit = vrMod10;
        vr = vrDiv10;
        vp /= 10;
        vm = vmDiv10;
        removed++;
      }
    }
    // Exactly half-way between two candidates: round to the even one.
    if (vrIsTrailingZeros && lastRemovedDigit == 5 && (vr & 1) == 0) lastRemovedDigit = 4;
    // Round up when past half, or when vr is the lower end and that end does not read back.
    output = vr + <u64>((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5);
  } else {
    // Common case: nothing exact, so a dropped digit of 5 means more than half.
    let roundUp = false;
    // Two digits at a time first: most doubles lose one or two.
    const vpDiv100 = vp / 100;
    const vmDiv100 = vm / 100;
    if (vpDiv100 > vmDiv100) {
      const vrDiv100 = vr / 100;
      roundUp = vr - 100 * vrDiv100 >= 50;
      vr = vrDiv100;
      vp = vpDiv100;
      vm = vmDiv100;
      removed += 2;
      // Short decimals (readings, prices: 523.17) lose a dozen: four at a time while they
      // can. Any grouping gives the digit-by-digit result, as the digits that can go are a
      // run from the end (a block can go exactly when its last digit can); only the latest
      // block's first digit, the most significant dropped so far, decides the rounding.
      for (;;) {
        const vpDiv1e4 = vp / 10000;
        const vmDiv1e4 = vm / 10000;
        if (vpDiv1e4 <= vmDiv1e4) break;
        const vrDiv1e4 = vr / 10000;
        roundUp = vr - 10000 * vrDiv1e4 >= 5000;
        vr = vrDiv1e4;
        vp = vpDiv1e4;
        vm = vmDiv1e4;
        removed += 4;
      }
    }
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vrDiv10 = vr / 10;
      roundUp = vr - 10 * vrDiv10 >= 5;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      removed++;
    }
    // vr == vm: the lower end is excluded here, so step up into the interval.
    output = vr + <u64>(vr == vm || roundUp);
  }
  shortestDigits = output;
  shortestExponent = e10 + removed;
}
