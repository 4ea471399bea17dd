/**
 * A double as JavaScript's `String(x)` writes it: the shortest digits that
 * read back to the same double (the nearest of them, ties to even), placed
 * as Number::toString places them (plain between 1e-7 and 1e21, otherwise
 * `d.ddde+N`). The core needs it for one thing: a number used as a
 * grouping key must intern to the same key as the host's `String(value)`,
 * whatever its spelling (`1.50`, `15e-1` and `1.5` are one key).
 *
 * The digits come from an exact Decimal and the half-way points to the
 * neighbouring doubles (Steele & White's bound, as Go's strconv does it):
 * slow, exact, and only used for spellings that are not already shortest.
 */
import { Decimal } from "./decimal";

const value = new Decimal();
const upper = new Decimal();
const lower = new Decimal();

/** Writes the shortest digits of the finite, non-zero |x| into `value` (nd digits, dp). */
function shortestDigits(bits: u64): void {
  const biased = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & ((<u64>1 << 52) - 1);
  let mant: u64;
  let exp: i32;
  if (biased == 0) {
    mant = frac;
    exp = -1022;
  } else {
    mant = frac | (<u64>1 << 52);
    exp = biased - 1023;
  }
  value.assign(mant);
  value.shift(exp - 52);
  const minexp = -1022;
  if (exp > minexp && 332 * (value.dp - value.nd) >= 100 * (exp - 52)) return;
  upper.assign(mant * 2 + 1);
  upper.shift(exp - 52 - 1);
  let mantlo: u64;
  let explo: i32;
  if (mant > (<u64>1 << 52) || exp == minexp) {
    mantlo = mant - 1;
    explo = exp;
  } else {
    mantlo = mant * 2 - 1;
    explo = exp - 1;
  }
  lower.assign(mantlo * 2 + 1);
  lower.shift(explo - 52 - 1);
  const inclusive = (mant & 1) == 0;
  let upperDelta = 0;
  for (let ui = 0; ; ui++) {
    const mi = ui - upper.dp + value.dp;
    if (mi >= value.nd) break;
    const li = ui - upper.dp + lower.dp;
    const l = li >= 0 && li < lower.nd ? lower.digit(li) : 0;
    const m = mi >= 0 ? value.digit(mi) : 0;
    const u = ui < upper.nd ? upper.digit(ui) : 0;
    const okDown = l != m || (inclusive && li + 1 == lower.nd);
    if (upperDelta == 0 && m + 1 < u) upperDelta = 2;
    else if (upperDelta == 0 && m != u) upperDelta = 1;
    else if (upperDelta == 1 && (m != 9 || u != 0)) upperDelta = 2;
    const okUp = upperDelta > 0 && (inclusive || upperDelta > 1 || ui + 1 < upper.nd);
    if (okDown && okUp) { value.round(mi + 1); return; }
    if (okDown) { value.roundDown(mi + 1); return; }
    if (okUp) { value.roundUp(mi + 1); return; }
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
  shortestDigits(bits & 0x7fffffffffffffff);
  const k = value.nd;
  const n = value.dp; // x = 0.d1…dk × 10^n
  if (k <= n && n <= 21) {
    for (let i = 0; i < k; i++) w = put(w, 0x30 + value.digit(i));
    for (let i = k; i < n; i++) w = put(w, 0x30);
  } else if (0 < n && n <= 21) {
    for (let i = 0; i < n; i++) w = put(w, 0x30 + value.digit(i));
    w = put(w, 0x2e);
    for (let i = n; i < k; i++) w = put(w, 0x30 + value.digit(i));
  } else if (-6 < n && n <= 0) {
    w = put(w, 0x30);
    w = put(w, 0x2e);
    for (let i = n; i < 0; i++) w = put(w, 0x30);
    for (let i = 0; i < k; i++) w = put(w, 0x30 + value.digit(i));
  } else {
    w = put(w, 0x30 + value.digit(0));
    if (k > 1) {
      w = put(w, 0x2e);
      for (let i = 1; i < k; i++) w = put(w, 0x30 + value.digit(i));
    }
    w = put(w, 0x65);
    let e = n - 1;
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
