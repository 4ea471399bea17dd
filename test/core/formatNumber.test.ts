/**
 * The core's number text (assembly/formatNumber.ts over the Ryū digits of
 * assembly/ryu.ts) against JavaScript's String(x), byte for byte: a million
 * random bit patterns (every exponent, subnormals included), Math.random()-
 * like values at several scales, integers up to 2^53 and past it, powers of
 * two and ten with their neighbouring doubles, the plain/exponent switch
 * points, short decimals, and the mantissas whose interval ends are
 * multiples of high powers of five (where Ryū tracks exactness only up to
 * 10^21 and relies on the paper's proof beyond). Negatives of each too.
 * Seeds are fixed (FC_SEED; EDDY_FC_SEED / EDDY_FC_RUNS override).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { FC_SEED, fcRuns } from '../support/streams.js';
import { mulberry32, uint32s } from '../support/prng.js';

const ex = loadCore('release').exports;
const at = ex.scan_bytes_reserve(64);
// number_to_text never grows memory, so one view serves every call
const bytes = new Uint8Array(ex.memory.buffer);

const word = new Float64Array(1);
const halves = new Uint32Array(word.buffer); // little-endian: [low, high]
/** The double with these 64 bits (high word first). */
const fromBits = (high: number, low: number): number => {
  halves[1] = high >>> 0;
  halves[0] = low >>> 0;
  return word[0]!;
};
/** The double `steps` units in the last place above (or below, if negative) x > 0. */
const stepped = (x: number, steps: number): number => {
  word[0] = x;
  const bits = (BigInt(halves[1]!) << 32n) | BigInt(halves[0]!);
  const moved = bits + BigInt(steps);
  return fromBits(Number(moved >> 32n), Number(moved & 0xffffffffn));
};

/** Checks x and -x; returns a description of the first difference, or null. Compares bytes, no decoding. */
function differs(x: number): string | null {
  for (const v of [x, -x]) {
    const want = String(v);
    const n = ex.number_to_text(v);
    let same = n === want.length;
    for (let i = 0; same && i < n; i++) same = bytes[at + i] === want.charCodeAt(i);
    if (!same) return `${want}: core wrote ${JSON.stringify(new TextDecoder().decode(bytes.subarray(at, at + n)))}`;
  }
  return null;
}

/** Runs every x through differs; fails listing the first few differences and how many there were. */
function expectAllSame(xs: Iterable<number>): number {
  const failures: string[] = [];
  let count = 0;
  let bad = 0;
  for (const x of xs) {
    count++;
    const d = differs(x);
    if (d !== null && bad++ < 10) failures.push(d);
  }
  if (bad > 0) expect.fail(`${bad} of ${count} differ from String(x):\n${failures.join('\n')}`);
  return count;
}

function* withNeighbours(xs: Iterable<number>, steps = 2): Generator<number> {
  for (const x of xs) {
    for (let s = -steps; s <= steps; s++) {
      const y = stepped(x, s);
      if (Number.isFinite(y) && y > 0) yield y;
    }
  }
}

describe('core number text equals String(x)', () => {
  it('for a million random bit patterns (all exponents, subnormals, both signs)', () => {
    const next = uint32s(FC_SEED);
    const xs = function* () {
      for (let i = 0; i < 1_000_000; i++) {
        const x = fromBits(next(), next());
        if (Number.isFinite(x)) yield x;
      }
    };
    expect(expectAllSame(xs())).toBeGreaterThan(990_000);
  });

  it('for Math.random()-like values at several scales', () => {
    const uniform = mulberry32(FC_SEED + 1);
    const xs = function* () {
      for (const scale of [1, 0.3, 1e-3, 1e-7, 1e6, 1e15, 1e21, 1e300]) {
        for (let i = 0; i < 50_000; i++) yield uniform() * scale;
      }
    };
    expectAllSame(xs());
  });

  it('for integers: every one to 100 000, random ones to 2^53 and past it, and 2^53 ± small', () => {
    const uniform = mulberry32(FC_SEED + 2);
    const xs = function* () {
      for (let i = 1; i <= 100_000; i++) yield i;
      for (let i = 0; i < 100_000; i++) yield Math.floor(uniform() * 2 ** 53) || 1;
      for (let i = 0; i < 100_000; i++) yield Math.floor(uniform() * 2 ** 53) * 2 ** Math.floor(uniform() * 80);
      for (let i = -1000; i <= 1000; i++) yield 2 ** 53 + i * 2;
      for (let i = 1; i <= 1000; i++) yield 10 ** 15 * i;
    };
    expectAllSame(xs());
  });

  it('for every power of two and of ten, with their neighbouring doubles', () => {
    const powers: number[] = [];
    for (let e = -1074; e <= 1023; e++) powers.push(2 ** e);
    for (let e = -323; e <= 308; e++) powers.push(Number(`1e${e}`));
    expectAllSame(withNeighbours(powers, 3));
  });

  it('for subnormals, the smallest normal, the largest double and their neighbours', () => {
    const next = uint32s(FC_SEED + 3);
    const xs = function* () {
      yield* withNeighbours([5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308], 5);
      for (let i = 0; i < 100_000; i++) yield fromBits(next() & 0xfffff, next()) || 5e-324;
      for (let i = 1; i <= 10_000; i++) yield fromBits(0, i); // i × 2^-1074
    };
    expectAllSame(xs());
    expect(String(5e-324)).toBe('5e-324');
  });

  it('at the plain/exponent switch points', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: literals at the edge of double precision are what this test feeds the formatter
    expectAllSame(withNeighbours([1e21, 1e-7, 1e-6, 999999999999999900000, 1e20, 123e-20, 1e-5, 9.999999999999999e20, 9.999999999999999e-8], 20));
  });

  it('for short decimals at any scale', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: 2^53 + 1 is written on purpose: it rounds, and the formatter must print the double it rounds to
    for (const x of [0.1, 0.2, 0.3, 0.30000000000000004, 1.5, 123.456, 5e-324, 1, 100, 1e23, 9007199254740993, 2 ** 53 + 2, 0.000001, 1e-7])
      expect(differs(x)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: -330, max: 310 }), (d, e) => {
        const x = Number(`${d}e${e}`);
        if (x > 0 && Number.isFinite(x)) expect(differs(x)).toBeNull();
      }),
      { seed: FC_SEED, numRuns: fcRuns(100000) },
    );
  });

  it('for -0 and 0', () => {
    for (const x of [0, -0]) {
      const n = ex.number_to_text(x);
      expect(new TextDecoder().decode(bytes.subarray(at, at + n))).toBe('0');
    }
  });

  it('for mantissas whose interval ends are multiples of 5^20 and up, at every exponent from 2^54', () => {
    // An end (2m2 + 1 above, 4m2 − 1 or 4m2 − 2 below, times 2^(e2)) or the double itself
    // can be exactly a shorter decimal only when 5^q divides it; the core tracks that for q ≤ 21.
    const mantissas = new Set<bigint>();
    const low = 1n << 52n;
    const high = 1n << 53n;
    for (let k = 20n; 5n ** k < 1n << 55n; k++) {
      const p = 5n ** k;
      for (let v = p; v < 1n << 55n; v += p) {
        for (const m of [v, (v - 1n) / 2n, (v + 1n) / 4n, (v + 2n) / 4n]) {
          for (const m2 of [m - 1n, m, m + 1n]) if (m2 >= low && m2 < high) mantissas.add(m2);
        }
      }
    }
    const xs = function* () {
      for (let biased = 1077; biased <= 2046; biased++) {
        for (const m2 of mantissas) {
          const bits = (BigInt(biased) << 52n) | (m2 - low);
          yield fromBits(Number(bits >> 32n), Number(bits & 0xffffffffn));
        }
      }
    };
    expect(mantissas.size).toBeGreaterThan(100);
    expectAllSame(xs());
  });
});
