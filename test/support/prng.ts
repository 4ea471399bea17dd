/** Small seeded PRNGs for deterministic test data. */

/** mulberry32: a 32-bit seeded generator of uniform doubles in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal N(0, 1) samples by Box–Muller over a seeded uniform generator. */
export function normal(seed: number): () => number {
  const u = mulberry32(seed);
  return () => {
    const u1 = 1 - u(); // (0, 1]: log is finite
    const u2 = u();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}
