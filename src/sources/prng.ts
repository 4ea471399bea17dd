/**
 * A small seeded pseudo-random number generator (mulberry32), so synthetic
 * data is reproducible: the same seed gives the same numbers on every
 * machine and every run. Math.random cannot be seeded, so eddy never uses it
 * for data.
 *
 * mulberry32 has a 32-bit state: plenty for synthetic metrics, cheap to
 * reseed, and free of allocation, which lets the generator reseed it per row
 * (see {@link hashSeed}) and regenerate any row on its own.
 */

const TWO_POW_32 = 4294967296;

/**
 * Mixes 32-bit words into a well-spread 32-bit seed (murmur3's finalizer).
 * Consecutive inputs (row 0, 1, 2 …) give unrelated seeds, so per-row
 * streams do not correlate. Accepts integers up to 2^53: the high part is
 * mixed in too, so row 2^32 does not repeat row 0.
 */
export function hashSeed(seed: number, index = 0): number {
  const low = index >>> 0;
  const high = Math.floor(index / TWO_POW_32) >>> 0;
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ low);
  h = fmix32(h ^ Math.imul(high, 0x85ebca6b) ^ 0x27d4eb2f);
  return h;
}

/** murmur3's 32-bit avalanche step: every input bit flips about half the output bits. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded mulberry32 generator with uniform and normal draws. */
export class Prng {
  private state: number;
  /** Box–Muller makes normals in pairs; the second waits here (NaN = none). */
  private spareNormal = NaN;

  /** Creates a generator; the seed is any number, used as its 32-bit integer part. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Restarts the sequence from a new seed, without allocating. */
  reseed(seed: number): void {
    this.state = seed >>> 0;
    this.spareNormal = NaN;
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A uniform draw in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A normal draw (Box–Muller) with the given mean and standard deviation. */
  normal(mean = 0, sd = 1): number {
    let z = this.spareNormal;
    if (Number.isNaN(z)) {
      // 1 - uniform() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
      const angle = 2 * Math.PI * this.uniform();
      z = radius * Math.cos(angle);
      this.spareNormal = radius * Math.sin(angle);
    } else {
      this.spareNormal = NaN;
    }
    return mean + sd * z;
  }
}
