/**
 * The benchmark workload (issue #3): K keys, one event per key per event
 * second, up to 2 s out of order, values from a seeded normal distribution;
 * batches of 65,536 parsed event objects `{ timestamp, metric, value }`.
 */
import type { BenchEvent } from './tsEngine.js';

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds `batches` batches of `batchSize` events over `keys` keys. */
export function makeWorkload(keys: number, batches: number, batchSize: number, seed = 7): BenchEvent[][] {
  const next = rng(seed);
  const names = Array.from({ length: keys }, (_, i) => `key_${i}`);
  const t0 = Date.UTC(2024, 0, 1);
  const out: BenchEvent[][] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const batch: BenchEvent[] = new Array(batchSize);
    for (let j = 0; j < batchSize; j++, i++) {
      const second = Math.floor(i / keys);
      const jitter = Math.floor(next() * 2000);
      const u = next() || 1e-12;
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
      batch[j] = { timestamp: t0 + second * 1000 + 1000 - jitter, metric: names[i % keys]!, value: 50 + 10 * normal };
    }
    out.push(batch);
  }
  return out;
}
