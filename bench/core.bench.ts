/**
 * `npm run bench`: core throughput on one core (issue #3).
 *
 * Workload: 10,000 keys, batches of 65,536 events, sliding windows 5 min /
 * 1 min, watermark delay 10 min, all six aggregates.
 *  - host path: parsed event objects → the real query (array source →
 *    encoder → one core call per batch → output records → a counting sink);
 *  - kernel: the same events as columns already in wasm memory, timing only
 *    `batch_process` (the per-batch copy into the input columns is outside
 *    the timed region, in tinybench's beforeEach hook), one core on an endless
 *    stream (the workload repeats shifted in time, so windows keep closing);
 *  - the idiomatic TypeScript engine (bench/tsEngine.ts) on the same objects;
 *  - the columnar API path: the same events as typed-array column batches
 *    (columnSource) → query → a byte sink that only counts;
 *  - objects → query → a byte sink that builds nothing (no record objects);
 *    beside it the same with the windows' NDJSON text made from the columns,
 *    made from records (safeJsonStringify, what a record sink does), and
 *    written to an NDJSON file (fsync per batch): their extra time over the
 *    record-free run ÷ windows is the cost per emitted window record.
 * Results are checked before anything is timed: both engines must emit the
 * same windows. Memory: bytes of core state per key, and the RSS of a
 * separate process holding 1 M keys (bench/rss1m.ts).
 *
 * Figures are means of tinybench's samples (throughput over the stream,
 * slow batches included), with medians beside them.
 * Prints a table, then one JSON line with the figures (last line).
 */
import { Bench } from 'tinybench';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../src/node/loadCore.js';
import { eddy, window, avg, stddev, min, max, count, sum } from '../src/index.js';
import { arraySource } from '../src/sources/array.js';
import { callbackSink } from '../src/sinks/callback.js';
import { fileSink } from '../src/sinks/file.js';
import { safeJsonStringify } from '../src/engine/safeJson.js';
import { columnSource } from '../src/sources/columns.js';
import type { Sink } from '../src/engine/sink.js';
import type { ColumnBatch } from '../src/engine/columnBatch.js';
import type { Source } from '../src/engine/source.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { W_COUNT, W_SUM, W_KEY } from '../src/core/exports.js';
import { TsWindowEngine } from './tsEngine.js';
import { makeWorkload } from './workload.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const BATCH = 65_536;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 24);
const SIZE = 5 * 60_000,
  SLIDE = 60_000,
  DELAY = 10 * 60_000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);

const batches = makeWorkload(KEYS, BATCHES, BATCH);
const totalEvents = BATCHES * BATCH;

// Columns of each batch, with the key ids the host would intern (key_i → i).
const columns = batches.map((batch) => ({
  ts: Float64Array.from(batch, (e) => e.timestamp),
  key: Int32Array.from(batch, (e) => Number(e.metric.slice(4))),
  value: Float64Array.from(batch, (e) => e.value),
}));

function newCore() {
  const core = loadCore();
  core.configure({ sizeMs: SIZE, slideMs: SLIDE, delayMs: DELAY, latenessMs: 0, mode: 'append' });
  return core;
}

/** Runs the kernel over every batch; returns windows emitted and the sum of their counts. */
function kernelRun(): { windows: number; counted: number; checksum: number } {
  const core = newCore();
  let windows = 0,
    counted = 0,
    checksum = 0;
  const take = (n: number) => {
    const r = core.windowRecords();
    for (let i = 0; i < n; i++) {
      counted += r.data[r.offset + i * r.width + W_COUNT]!;
      checksum += r.data[r.offset + i * r.width + W_SUM]! + r.data[r.offset + i * r.width + W_KEY]!;
    }
    windows += n;
  };
  for (const c of columns) {
    const cols = core.reserve(BATCH);
    cols.ts.set(c.ts);
    cols.key.set(c.key);
    cols.value.set(c.value);
    take(core.process(BATCH));
  }
  take(core.flush());
  return { windows, counted, checksum };
}

function tsRun(): { windows: number; counted: number; checksum: number; late: number } {
  const engine = new TsWindowEngine(SIZE, SLIDE, DELAY);
  let windows = 0,
    counted = 0,
    checksum = 0;
  const take = (out: ReturnType<TsWindowEngine['process']>) => {
    for (const w of out) {
      counted += w.count;
      checksum += w.sum + Number(w.key.slice(4));
    }
    windows += out.length;
  };
  for (const b of batches) take(engine.process(b));
  take(engine.flush());
  return { windows, counted, checksum, late: engine.late };
}

/** The bench's window query from `source` into `sink`. */
async function runQuery(source: Source, sink: Sink): Promise<void> {
  const query = eddy
    .stream(source)
    .withWatermark('timestamp', DELAY)
    .groupBy(window('timestamp', SIZE, SLIDE), 'metric')
    .agg(avg('value'), stddev('value'), min('value'), max('value'), count(), sum('value'))
    .writeStream(sink)
    .option('batchSize', BATCH)
    .start();
  await query.awaitTermination();
}

const objects = batches.flat() as unknown as Record<string, unknown>[];

/** The host API path as a user writes it: objects in, records handed to a callback. */
async function hostRun(): Promise<{ windows: number; counted: number }> {
  let windows = 0,
    counted = 0;
  await runQuery(
    arraySource(objects, { batchSize: BATCH }),
    callbackSink((records) => {
      windows += records.length;
      for (const r of records) counted += r.count as number;
    }),
  );
  return { windows, counted };
}

// The same events as column batches (typed arrays) sharing one growing key table, as a caller
// that keeps its own key ids would pass them: the engine maps each key once, not once per batch.
const keyNames = Array.from({ length: KEYS }, (_, i) => `key_${i}`);
const keyTable = { size: KEYS, valuesOf: (id: number) => [keyNames[id]!] };
const columnBatches: ColumnBatch[] = columns.map((c) => ({ rows: BATCH, ts: c.ts, value: c.value, key: c.key, keyTable }));

/** A sink that takes batches from their columns and does nothing with them (no record built): counts windows. */
function countingByteSink(): Sink & { windows: number } {
  const sink = {
    windows: 0,
    description: 'count',
    open() {},
    write() {},
    flush() {},
    close() {},
    writeBatch(batch: { count: number }) {
      sink.windows += batch.count;
    },
  };
  return sink;
}

/** Columns in, batches counted from their columns. */
async function columnarRun(): Promise<number> {
  const sink = countingByteSink();
  await runQuery(columnSource(columnBatches), sink);
  return sink.windows;
}

/** Objects in, batches counted from their columns (no record objects at all). */
async function objectsNoRecordsRun(): Promise<number> {
  const sink = countingByteSink();
  await runQuery(arraySource(objects, { batchSize: BATCH }), sink);
  return sink.windows;
}

/**
 * Objects in, every window's NDJSON text made as a byte sink makes it, from
 * the columns (`ndjson()`) or from records (`safeJsonStringify` per record,
 * what a sink of records does): no I/O, so the figure is the text's cost,
 * not the disk's (the file sink fsyncs each batch).
 */
async function objectsToTextRun(fromColumns: boolean): Promise<number> {
  let chars = 0;
  const sink = {
    description: 'text',
    open() {},
    flush() {},
    close() {},
    write(records: Record<string, unknown>[]) {
      let t = '';
      for (const r of records) t += safeJsonStringify(r) + '\n';
      chars += t.length;
    },
    ...(fromColumns
      ? {
          writeBatch(batch: { ndjson(): string }) {
            chars += batch.ndjson().length;
          },
        }
      : {}),
  };
  await runQuery(arraySource(objects, { batchSize: BATCH }), sink);
  return chars;
}

const outDir = mkdtempSync(join(tmpdir(), 'eddy-bench-core-'));
/** Objects in, every window written to an NDJSON file (from the columns, fsync per batch). */
async function objectsToFileRun(): Promise<void> {
  await runQuery(arraySource(objects, { batchSize: BATCH }), fileSink(join(outDir, 'windows.ndjson')));
}

// ── check results before timing ────────────────────────────────────────────
const k = kernelRun();
const t = tsRun();
const h = await hostRun();
if (k.windows !== t.windows || k.counted !== t.counted || Math.abs(k.checksum - t.checksum) > 1e-6 * Math.abs(t.checksum)) {
  throw new Error(`kernel and TypeScript engine disagree: ${JSON.stringify({ k, t })}`);
}
if (h.windows !== k.windows || h.counted !== k.counted) throw new Error(`host path and kernel disagree: ${JSON.stringify({ h, k })}`);
const cw = await columnarRun();
const ow = await objectsNoRecordsRun();
if (cw !== k.windows || ow !== k.windows) throw new Error(`columnar (${cw}) or record-free (${ow}) path and kernel (${k.windows}) disagree`);
const textColumns = await objectsToTextRun(true);
const textRecords = await objectsToTextRun(false);
if (textColumns !== textRecords) throw new Error(`NDJSON from columns (${textColumns} chars) and from records (${textRecords}) differ`);
if (k.counted + t.late !== totalEvents * (SIZE / SLIDE)) {
  // every accepted event lands in size/slide windows
  throw new Error(`events lost: ${k.counted} window memberships + ${t.late} late for ${totalEvents} events`);
}
console.log(`checked: ${k.windows} windows, ${t.late} late events, both engines agree`);

// ── timing ─────────────────────────────────────────────────────────────────
const bench = new Bench({ time: TIME_MS, warmupTime: 500 });
// The kernel runs one endless stream on one core, as a long-lived ingestion
// node does: after the last prepared batch the workload repeats, shifted
// forward in event time, so windows keep closing and state stays warm.
const lapMs = Math.ceil(totalEvents / KEYS) * 1000;
const kernelCore = newCore();
let next = 0;
bench.add(
  'kernel: batch_process on columns in wasm memory (1 batch)',
  () => {
    kernelCore.process(BATCH);
  },
  {
    beforeEach() {
      const c = columns[next % columns.length]!;
      const shift = Math.floor(next / columns.length) * lapMs;
      next++;
      const cols = kernelCore.reserve(BATCH);
      for (let i = 0; i < BATCH; i++) cols.ts[i] = c.ts[i]! + shift;
      cols.key.set(c.key);
      cols.value.set(c.value);
    },
  },
);
bench.add(`host API path: objects → query → sink (${BATCHES} batches)`, async () => {
  await hostRun();
});
bench.add(`idiomatic TypeScript engine (${BATCHES} batches)`, () => {
  tsRun();
});
bench.add(`columnar API path: typed arrays → query → byte sink (${BATCHES} batches)`, async () => {
  await columnarRun();
});
bench.add(`objects → query → byte sink that writes nothing (${BATCHES} batches)`, async () => {
  await objectsNoRecordsRun();
});
bench.add(`objects → query → NDJSON text from the columns (${BATCHES} batches)`, async () => {
  await objectsToTextRun(true);
});
bench.add(`objects → query → records → NDJSON text (${BATCHES} batches)`, async () => {
  await objectsToTextRun(false);
});
bench.add(`objects → query → NDJSON file sink, fsync per batch (${BATCHES} batches)`, async () => {
  await objectsToFileRun();
});
await bench.run();
rmSync(outDir, { recursive: true, force: true });

const [kernelTask, hostTask, tsTask, columnarTask, noRecordsTask, textColumnsTask, textRecordsTask, fileTask] = bench.tasks;
/** Mean and median latency (ms) of a task. The mean is the headline: it is the throughput over the whole stream, slow batches included. */
const latency = (task: typeof kernelTask) => {
  const r = task!.result as unknown as { latency?: { mean: number; p50: number; rme: number }; totalTime?: number };
  if (!r.latency) throw new Error(`task ${task!.name} has no result`);
  return r.latency;
};
const kernelLat = latency(kernelTask),
  hostLat = latency(hostTask),
  tsLat = latency(tsTask);
const kernelNs = (kernelLat.mean * 1e6) / BATCH;
const hostNs = (hostLat.mean * 1e6) / totalEvents;
const tsNs = (tsLat.mean * 1e6) / totalEvents;
const columnarNs = (latency(columnarTask).mean * 1e6) / totalEvents;
const noRecordsNs = (latency(noRecordsTask).mean * 1e6) / totalEvents;
// what an emitted window costs on a byte sink: a run's extra time over the run that writes nothing, per window
const perWindow = (task: typeof kernelTask) => (latency(task).mean * 1e6 - latency(noRecordsTask).mean * 1e6) / k.windows;
const nsPerWindowRecord = perWindow(textColumnsTask);
const nsPerWindowRecordFromRecords = perWindow(textRecordsTask);
const nsPerWindowRecordFile = perWindow(fileTask);
const medianNs = { kernel: (kernelLat.p50 * 1e6) / BATCH, host: (hostLat.p50 * 1e6) / totalEvents, ts: (tsLat.p50 * 1e6) / totalEvents };

// Memory: bytes per key of core state, and RSS with 1 M keys in a fresh process.
const probe = newCore();
const bytesPerKey = probe.exports.stats_key_bytes();
const rssScript = fileURLToPath(new URL('./rss1m.js', import.meta.url));
const rss = JSON.parse(execFileSync(process.execPath, [rssScript], { encoding: 'utf8' }).trim().split('\n').pop()!) as {
  rss_mb: number;
  keys: number;
  wasm_mb: number;
};

const rows = [
  {
    engine: 'eddy kernel (wasm, columns in memory)',
    'ns/event': kernelNs.toFixed(2),
    'events/s': Math.round(1e9 / kernelNs).toLocaleString('en-US'),
    'ns/event (median)': medianNs.kernel.toFixed(2),
    '± rme %': kernelLat.rme.toFixed(1),
  },
  {
    engine: 'eddy host API path (objects → sink)',
    'ns/event': hostNs.toFixed(2),
    'events/s': Math.round(1e9 / hostNs).toLocaleString('en-US'),
    'ns/event (median)': medianNs.host.toFixed(2),
    '± rme %': hostLat.rme.toFixed(1),
  },
  {
    engine: 'eddy columnar API path (typed arrays → byte sink)',
    'ns/event': columnarNs.toFixed(2),
    'events/s': Math.round(1e9 / columnarNs).toLocaleString('en-US'),
    'ns/event (median)': '',
    '± rme %': latency(columnarTask).rme.toFixed(1),
  },
  {
    engine: 'eddy objects → byte sink (no records)',
    'ns/event': noRecordsNs.toFixed(2),
    'events/s': Math.round(1e9 / noRecordsNs).toLocaleString('en-US'),
    'ns/event (median)': '',
    '± rme %': latency(noRecordsTask).rme.toFixed(1),
  },
  ...(
    [
      ['eddy objects → NDJSON text from the columns', textColumnsTask],
      ['eddy objects → records → NDJSON text', textRecordsTask],
      ['eddy objects → NDJSON file sink (fsync per batch)', fileTask],
    ] as const
  ).map(([engine, task]) => {
    const ns = (latency(task).mean * 1e6) / totalEvents;
    return {
      engine,
      'ns/event': ns.toFixed(2),
      'events/s': Math.round(1e9 / ns).toLocaleString('en-US'),
      'ns/event (median)': '',
      '± rme %': latency(task).rme.toFixed(1),
    };
  }),
  {
    engine: 'idiomatic TypeScript engine',
    'ns/event': tsNs.toFixed(2),
    'events/s': Math.round(1e9 / tsNs).toLocaleString('en-US'),
    'ns/event (median)': medianNs.ts.toFixed(2),
    '± rme %': tsLat.rme.toFixed(1),
  },
];
console.table(rows);
console.log(`workload: ${KEYS} keys, ${BATCHES} batches × ${BATCH} events, windows 5 min / 1 min, delay 10 min; ${k.windows} windows emitted`);
console.log(
  `byte sink, per window record (run − record-free run, ÷ ${k.windows} windows): NDJSON text from the columns ${nsPerWindowRecord.toFixed(0)} ns, from records ${nsPerWindowRecordFromRecords.toFixed(0)} ns; NDJSON file sink with an fsync per batch ${nsPerWindowRecordFile.toFixed(0)} ns`,
);
console.log(
  `state: ${bytesPerKey} bytes per key in the core; RSS with ${rss.keys} keys: ${rss.rss_mb.toFixed(0)} MB (wasm memory ${rss.wasm_mb.toFixed(0)} MB)`,
);
console.log(
  JSON.stringify({
    bench: 'core',
    events_per_s: Math.round(1e9 / kernelNs),
    ns_per_event: Number(kernelNs.toFixed(3)),
    ns_per_event_median: Number(medianNs.kernel.toFixed(3)),
    host_events_per_s: Math.round(1e9 / hostNs),
    host_ns_per_event: Number(hostNs.toFixed(3)),
    host_ns_per_event_median: Number(medianNs.host.toFixed(3)),
    ts_engine_events_per_s: Math.round(1e9 / tsNs),
    ratio_vs_ts: Number((tsNs / kernelNs).toFixed(2)),
    host_ratio_vs_ts: Number((tsNs / hostNs).toFixed(2)),
    columnar_events_per_s: Math.round(1e9 / columnarNs),
    columnar_ratio_vs_ts: Number((tsNs / columnarNs).toFixed(2)),
    objects_no_records_ratio_vs_ts: Number((tsNs / noRecordsNs).toFixed(2)),
    ns_per_window_record_byte_sink: Number(nsPerWindowRecord.toFixed(1)),
    ns_per_window_record_from_records: Number(nsPerWindowRecordFromRecords.toFixed(1)),
    ns_per_window_record_file_fsync: Number(nsPerWindowRecordFile.toFixed(1)),
    bytes_per_key: bytesPerKey,
    rss_1m_keys_mb: Number(rss.rss_mb.toFixed(1)),
    keys: KEYS,
    batch: BATCH,
    events: totalEvents,
  }),
);
