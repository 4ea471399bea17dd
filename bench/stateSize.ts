/**
 * State per key, by feature (`npm run bench:state`): for each configuration
 * — windows only, + z-score, + Holt, + patterns, + the default anomaly score
 * — K keys (BENCH_STATE_KEYS, default 100,000) get one event per minute for
 * 24 minutes of event time (the seed's 5 min / 1 min windows, 10 min delay:
 * every key then holds its open windows, closed windows' worth of z-score
 * and Holt history, and partial matches), then reports per key:
 *
 *  - state: the bytes the core allocated for key state (window pane chunks,
 *    z-score and Holt blocks, detector blocks, pattern key records; not the
 *    partial-match lists), ÷ K: what a million keys cost in RAM (wasm32
 *    caps the core at 4 GiB);
 *  - checkpoint: the full snapshot's bytes ÷ K (only live panes and state
 *    that is not all zero are written).
 *
 * One JSON line at the end; figures are exact for a workload (no timing).
 */
import { BatchEngine } from '../src/engine/batchEngine.js';
import { loadCore } from '../src/node/loadCore.js';
import { parsePipelineConfig } from '../src/config/pipelineConfig.js';
import type { ColumnBatch } from '../src/engine/columnBatch.js';

const KEYS = Number(process.env.BENCH_STATE_KEYS ?? 100_000);
const MINUTES = 24;
const T0 = Date.UTC(2024, 0, 1);
const BATCH = 65_536;
const TYPES = ['ok', 'warn', 'error'];

const base = { window_size: '5 minutes', slide_duration: '1 minute', watermark_delay: '10 minutes' };
const CONFIGS: [string, Record<string, unknown>][] = [
  ['windows', base],
  ['+ z-score', { ...base, anomalies: { threshold: 2, score: false } }],
  ['+ Holt', { ...base, anomalies: { threshold: 2, score: false }, forecast: { alpha: 0.3, horizon: 10 } }],
  [
    '+ patterns',
    {
      ...base,
      anomalies: { threshold: 2, score: false },
      forecast: { alpha: 0.3, horizon: 10 },
      patterns: { threshold: { critical: { upper: 100 } }, sequence: ['ok -> warn -> error within 5m'] },
    },
  ],
  [
    '+ default score',
    {
      ...base,
      anomalies: { threshold: 2, score: true },
      forecast: { alpha: 0.3, horizon: 10 },
      patterns: { threshold: { critical: { upper: 100 } }, sequence: ['ok -> warn -> error within 5m'] },
    },
  ],
];

const names = Array.from({ length: KEYS }, (_, k) => `key_${k}`);

/** Bytes the core allocated for key state (exports for benches: the core's own counters). */
function stateBytes(engine: BatchEngine): number {
  const ex = engine.core.exports;
  let bytes = ex.stats_state_bytes() + ex.stats_pattern_state_bytes();
  for (const stage of [0, 1]) bytes += ex.stats_stage_state_bytes(stage) + ex.stats_detector_state_bytes(stage);
  return bytes;
}

function measure(processing: Record<string, unknown>): { memoryPerKey: number; checkpointPerKey: number } {
  const plan = parsePipelineConfig({ source: { type: 'stdin' }, type_column: 'type', processing, sink: { type: 'console' } });
  const engine = new BatchEngine(plan, loadCore(), 'bench', false);
  for (let minute = 0; minute < MINUTES; minute++) {
    for (let from = 0; from < KEYS; from += BATCH) {
      const n = Math.min(BATCH, KEYS - from);
      const ts = new Float64Array(n);
      const value = new Float64Array(n);
      const key = Int32Array.from({ length: n }, (_, i) => i);
      const type = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const h = Math.imul(from + i + 1, 2654435761) ^ minute;
        ts[i] = T0 + minute * 60_000 + ((h >>> 0) % 60_000);
        value[i] = 50 + ((h >>> 8) % 2000) / 100;
        type[i] = (from + i + minute) % 3;
      }
      const batch: ColumnBatch = { rows: n, ts, value, key, keys: names.slice(from, from + n), type, types: TYPES };
      const r = engine.processBatch({ rows: [], errors: [], columns: [batch] });
      if (r.errors.length > 0) throw new Error(`${r.errors.length} rows rejected, e.g. ${r.errors[0]!.reason}`);
    }
  }
  const memoryPerKey = stateBytes(engine) / KEYS;
  const checkpointPerKey = engine.snapshot().length / KEYS;
  return { memoryPerKey, checkpointPerKey };
}

const rows: { config: string; 'state B/key': number; 'checkpoint B/key': number }[] = [];
const json: Record<string, unknown> = { bench: 'state', keys: KEYS };
for (const [name, processing] of CONFIGS) {
  const m = measure(processing);
  rows.push({ config: name, 'state B/key': Math.round(m.memoryPerKey), 'checkpoint B/key': Math.round(m.checkpointPerKey) });
  const id = name
    .toLowerCase()
    .replace(/[^a-z]+/g, '_')
    .replace(/^_|_$/g, '');
  json[`${id}_state_bytes_per_key`] = Math.round(m.memoryPerKey);
  json[`${id}_checkpoint_bytes_per_key`] = Math.round(m.checkpointPerKey);
}
console.table(rows);
console.log(`${KEYS.toLocaleString('en')} keys, one event per key per minute for ${MINUTES} minutes of event time; 5 min / 1 min windows, 10 min delay`);
console.log(JSON.stringify(json));
