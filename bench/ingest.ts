/**
 * `npm run bench:ingest` (issue #10): eddy run over a file, against the
 * least a JavaScript program must do to read the same file.
 *
 * Workload: BENCH_EVENTS (default 10,000,000) events over 10,000 keys, one
 * per key per event second, up to 2 s out of order, values N(50, 10) written
 * as JavaScript writes doubles (17 significant digits), as NDJSON
 * `{"timestamp":…,"metric":"key_…","value":…}` and as CSV with a header.
 * The query: 5-minute windows sliding by 1 minute, count/sum/avg/stddev/
 * min/max per key, results to an NDJSON file sink.
 *
 * Bounds, measured in the same run on the same file:
 * - NDJSON: `readline` + `JSON.parse` of every line, summing the values;
 * - CSV: `readline` + `split(',')` + `Number()` of the value cell, summing.
 * They compute no windows: eddy must beat doing nothing but parsing.
 *
 * Also: young-generation GCs per million events during the eddy run
 * (PerformanceObserver 'gc' entries of kind minor).
 *
 * Env: BENCH_EVENTS, BENCH_DIR (where the files go; default a temp dir, removed
 * afterwards), BENCH_CPU_PROF=<file> (CPU profile of the eddy NDJSON run).
 * Last line: {"bench":"ingest", …}.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { once } from 'node:events';
import { Prng } from '../src/sources/prng.js';
import { parsePipelineConfig } from '../src/config/pipelineConfig.js';
import { startPipeline } from '../src/config/buildPipeline.js';
import { loadCore } from '../src/node/loadCore.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const KEYS = 10_000;
const PROFILE = process.env.BENCH_CPU_PROF;
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'eddy-bench-ingest-'));
const ownDir = process.env.BENCH_DIR === undefined;

/** Writes both files, with progress on stderr. */
async function writeInputs(ndjsonPath: string, csvPath: string): Promise<void> {
  const prng = new Prng(7);
  const t0 = Date.UTC(2024, 0, 1);
  const names = Array.from({ length: KEYS }, (_, i) => `key_${i}`);
  const nd = createWriteStream(ndjsonPath);
  const csv = createWriteStream(csvPath);
  csv.write('timestamp,metric,value\n');
  let ndChunk = '';
  let csvChunk = '';
  for (let i = 0; i < EVENTS; i++) {
    const ts = t0 + Math.floor(i / KEYS) * 1000 + 1000 - Math.floor(prng.uniform() * 2000);
    const v = prng.normal(50, 10);
    const name = names[i % KEYS]!;
    ndChunk += `{"timestamp":${ts},"metric":"${name}","value":${v}}\n`;
    csvChunk += `${ts},${name},${v}\n`;
    if (ndChunk.length > 1 << 20) {
      if (!nd.write(ndChunk)) await once(nd, 'drain');
      if (!csv.write(csvChunk)) await once(csv, 'drain');
      ndChunk = '';
      csvChunk = '';
    }
    if (i % 2_000_000 === 0 && i > 0) process.stderr.write(`  writing inputs: ${i / 1e6}M events\n`);
  }
  nd.end(ndChunk);
  csv.end(csvChunk);
  await Promise.all([once(nd, 'finish'), once(csv, 'finish')]);
}

/** The NDJSON bound: read every line and JSON.parse it, summing values. */
async function ndjsonLoop(path: string): Promise<number> {
  const start = performance.now();
  let sum = 0;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (line.length === 0) continue;
    sum += (JSON.parse(line) as { value: number }).value;
    n++;
  }
  if (n !== EVENTS || !Number.isFinite(sum)) throw new Error(`ndjson loop read ${n} events`);
  return performance.now() - start;
}

/** The CSV bound: split every line at commas and read the value cell. */
async function csvLoop(path: string): Promise<number> {
  const start = performance.now();
  let sum = 0;
  let n = -1; // the header
  for await (const line of createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (line.length === 0) continue;
    if (n++ < 0) continue;
    sum += Number(line.split(',')[2]);
  }
  if (n !== EVENTS || !Number.isFinite(sum)) throw new Error(`csv loop read ${n} events`);
  return performance.now() - start;
}

/** eddy run over `input` (windows to an NDJSON file); returns ms and young GCs during it. */
async function eddyRun(input: string, output: string, profile?: string): Promise<{ ms: number; youngGcs: number; windows: number }> {
  const config = parsePipelineConfig({
    timestamp_column: 'timestamp',
    value_column: 'value',
    grouping_columns: ['metric'],
    processing: {
      window_size: '5 minutes',
      slide_duration: '1 minute',
      watermark_delay: '10 s',
      aggregations: ['count', 'sum', 'avg', 'stddev', 'min', 'max'],
    },
    source: { type: 'file', path: input },
    sink: { type: 'file', path: output, format: 'ndjson' },
  });
  let youngGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) youngGcs++;
  });
  observer.observe({ entryTypes: ['gc'] });
  let session: Session | undefined;
  if (profile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const start = performance.now();
  const query = startPipeline(config, { createCore: () => loadCore(), log: () => {} }, { baseDir: dir });
  await query.awaitTermination();
  const ms = performance.now() - start;
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(p));
    session.disconnect();
  }
  // let the observer see the last entries
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return { ms, youngGcs, windows: countLines(output) };
}

/** Lines of a (small enough) output file: the window records written. */
function countLines(path: string): number {
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

try {
  const ndjsonPath = join(dir, 'events.ndjson');
  const csvPath = join(dir, 'events.csv');
  process.stderr.write(`bench:ingest: ${EVENTS.toLocaleString('en')} events, ${KEYS.toLocaleString('en')} keys, files in ${dir}\n`);
  await writeInputs(ndjsonPath, csvPath);
  const ndjsonBytes = statSync(ndjsonPath).size;
  const csvBytes = statSync(csvPath).size;
  // loop, eddy, loop, eddy: the machine's drift hits both alike; the better of two runs each
  const ndLoop = Math.min(await ndjsonLoop(ndjsonPath), await ndjsonLoop(ndjsonPath));
  const ndEddyRuns = [await eddyRun(ndjsonPath, join(dir, 'out-ndjson.jsonl')), await eddyRun(ndjsonPath, join(dir, 'out-ndjson.jsonl'), PROFILE)];
  const ndEddy = ndEddyRuns.reduce((a, b) => (a.ms <= b.ms ? a : b));
  const csLoop = Math.min(await csvLoop(csvPath), await csvLoop(csvPath));
  const csEddy = [await eddyRun(csvPath, join(dir, 'out-csv.jsonl')), await eddyRun(csvPath, join(dir, 'out-csv.jsonl'))].reduce((a, b) =>
    a.ms <= b.ms ? a : b,
  );
  const perS = (ms: number) => Math.round(EVENTS / (ms / 1000));
  const result = {
    bench: 'ingest',
    events: EVENTS,
    keys: KEYS,
    ndjson_events_per_s: perS(ndEddy.ms),
    ndjson_loop_events_per_s: perS(ndLoop),
    ndjson_ratio: Number((ndLoop / ndEddy.ms).toFixed(2)),
    csv_events_per_s: perS(csEddy.ms),
    csv_loop_events_per_s: perS(csLoop),
    csv_ratio: Number((csLoop / csEddy.ms).toFixed(2)),
    ndjson_mb_per_s: Number((ndjsonBytes / 1e6 / (ndEddy.ms / 1000)).toFixed(1)),
    csv_mb_per_s: Number((csvBytes / 1e6 / (csEddy.ms / 1000)).toFixed(1)),
    young_gcs_per_million_events: Number((ndEddy.youngGcs / (EVENTS / 1e6)).toFixed(1)),
    windows_out: ndEddy.windows,
    csv_windows_out: csEddy.windows,
  };
  process.stderr.write(
    `  NDJSON: eddy ${(ndEddy.ms / 1000).toFixed(2)} s, readline+JSON.parse ${(ndLoop / 1000).toFixed(2)} s → ${result.ndjson_ratio}× (target ≥ 3×)\n`,
  );
  process.stderr.write(
    `  CSV:    eddy ${(csEddy.ms / 1000).toFixed(2)} s, readline+split ${(csLoop / 1000).toFixed(2)} s → ${result.csv_ratio}× (target ≥ 3×)\n`,
  );
  console.log(JSON.stringify(result));
} finally {
  if (ownDir) rmSync(dir, { recursive: true, force: true });
}
