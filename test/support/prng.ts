/** Seeded generators for deterministic test data, over the project's own PRNG (src/sources/prng.ts). */
import { Prng } from '../../src/sources/prng.js';

/** Uniform doubles in [0, 1) from a seed (mulberry32). */
export function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.uniform();
}

/** Standard normal N(0, 1) samples from a seed. */
export function normal(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.normal(0, 1);
}

/** Uniform unsigned 32-bit integers from a seed (mulberry32), e.g. for random bit patterns. */
export function uint32s(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.nextUint32();
}
