/**
 * Reproduces a wasm-allocator fault found by `npm run bench:kafka` (not part
 * of the benchmark): `node dist/bench/kafka/snapshotRepro.js [keys]`.
 *
 * An engine with the bench plan (default anomaly score on: ~34 KB of
 * snapshot per key) is built for `keys` keys (default 17,000: a ~586 MB
 * snapshot), snapshotted, and restored into a fresh engine; the restored
 * engine is snapshotted again and then given one more batch, which the
 * original engine also processes. Prints, as JSON: whether the second
 * snapshot equals the first, whether it restores, and whether the next batch
 * gives the same results (or traps).
 *
 * Cause (AssemblyScript 0.28 std/assembly/rt/tlsf.ts): `roundSize` does not
 * round requests ≥ BLOCK_MAXSIZE/2 (≈ 512 MiB), so `searchBlock` can return
 * a free block of the same size class that is smaller than the request
 * (the debug build's assert "must fit", tlsf.ts:501, fires). Here the freed
 * restore buffer is reused for the larger snapshot bound: the snapshot block
 * overlaps live state. Under 512 MiB (e.g. 14,000 keys) the same steps pass.
 */
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { loadCore } from '../../src/node/loadCore.js';
import type { SourceBatch } from '../../src/engine/source.js';
import { benchConfig } from './config.js';
import { T0, hash32 } from './workload.js';

const K = Number(process.argv[2] ?? 17_000);
const plan = benchConfig({ broker: '127.0.0.1:9092', topic: 'unused', groupId: 'unused' }, '/tmp/unused', true);
const names = Array.from({ length: K }, (_, k) => `key_${k}`);

function round(minute: number): SourceBatch {
  const ts = new Float64Array(K),
    value = new Float64Array(K),
    key = new Int32Array(K),
    type = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    const h = hash32(i * 31 + minute);
    ts[i] = T0 + minute * 60_000 + (h % 60_000);
    value[i] = 50 + (h % 2000) / 100;
    key[i] = i;
    type[i] = h % 10 < 7 ? 0 : h % 10 < 9 ? 1 : 2;
  }
  return { rows: [], errors: [], columns: [{ rows: K, ts, value, key, keys: names, type, types: ['ok', 'warn', 'error'] }] };
}

function summary(engine: BatchEngine, batch: SourceBatch): string {
  try {
    const r = engine.processBatch(batch);
    let count = 0,
      sum = 0;
    for (const w of r.windows) {
      count += w.count as number;
      sum += (w.avg_value as number) * (w.count as number);
    }
    return `${r.windows.length} windows, Σcount ${count}, Σavg·count ${sum.toFixed(3)}, ${r.matches.length} matches`;
  } catch (e) {
    return `threw: ${(e as Error).message}`;
  }
}

const original = new BatchEngine(plan, loadCore(), 'repro', false);
for (const minute of [0, 1, 2, 3, 11, 12, 13]) original.processBatch(round(minute));
const first = original.snapshot();
const restored = new BatchEngine(plan, loadCore(), 'repro', false);
restored.restore(first);
const second = restored.snapshot();
let differing = 0;
for (let i = 0; i < Math.min(first.length, second.length); i++) if (first[i] !== second[i]) differing++;
let restorable = 'yes';
try {
  new BatchEngine(plan, loadCore(), 'repro', false).restore(second);
} catch (e) {
  restorable = `no: ${(e as Error).message}`;
}
const next = round(14);
console.log(
  JSON.stringify(
    {
      keys: K,
      snapshotBytes: first.length,
      restoredWasmMiB: restored.core.memoryBytes() / 2 ** 20,
      secondSnapshotDifferingBytes: differing + Math.abs(first.length - second.length),
      secondSnapshotRestores: restorable,
      nextBatchOriginal: summary(original, next),
      nextBatchRestored: summary(restored, next),
    },
    null,
    1,
  ),
);
