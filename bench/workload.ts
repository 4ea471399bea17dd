/**
 * The benchmark workload (issue #3): K keys, one event per key per event
 * second, up to 2 s out of order, values from a seeded normal distribution;
 * batches of 65,536 parsed event objects `{ timestamp, metric, value }`.
 */
import type { BenchEvent } from './tsEngine.js';
import { Prng } from '../src/sources/prng.js';

/** Builds `batches` batches of `batchSize` events over `keys` keys. */
export function makeWorkload(keys: number, batches: number, batchSize: number, seed = 7): BenchEvent[][] {
  const prng = new Prng(seed);
  const names = Array.from({ length: keys }, (_, i) => `key_${i}`);
  const t0 = Date.UTC(2024, 0, 1);
  const out: BenchEvent[][] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const batch: BenchEvent[] = new Array(batchSize);
    for (let j = 0; j < batchSize; j++, i++) {
      const second = Math.floor(i / keys);
      const jitter = Math.floor(prng.uniform() * 2000);
      batch[j] = { timestamp: t0 + second * 1000 + 1000 - jitter, metric: names[i % keys]!, value: prng.normal(50, 10) };
    }
    out.push(batch);
  }
  return out;
}
