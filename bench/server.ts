/**
 * `npm run bench:server`: eddy's server under load, on loopback.
 *
 * The server is a separate process (`eddy serve` on the default serve job —
 * 5-minute windows sliding by 1 minute, anomalies, forecasts — with an http
 * source, a 4 M-event queue, a 10-minute watermark delay and a memory sink
 * keeping 1,000 rows; see processes.ts). The load generator is this process:
 * Node's `http` client with keep-alive agents. Events: 1,000 keys, one event
 * per key per event second (as the core benchmark), so event time advances
 * 1 ms per event, shared across requests and connections.
 *
 *  1. NDJSON sustained events/s: requests of 1,000 events, C connections
 *     posting back to back (C swept, best reported) for BENCH_SECONDS after a
 *     warm-up. Sustained = events accepted in 200 responses ÷ (load time +
 *     the time the engine then needs to drain its queue), so a queue filling
 *     up does not count as throughput. Cross-checked against /metrics
 *     (eddy_input_events_total, eddy_ingest_busy_total) and /progress
 *     (totals.inputRows / processedRows) once drained.
 *  2. JSON.parse-only bound: the same load against a plain node:http server
 *     that only parses each line (parseBound.ts), same sweep.
 *  3. Columnar sustained events/s: frames of 65,536 events (encodeColumns),
 *     timestamps rewritten per request, same method as 1.
 *  4. Latency at 100 k events/s: 100 requests/s of 1,000 events, paced, for
 *     LATENCY_SECONDS; p50/p99 of eddy_event_to_result_latency_seconds from
 *     the bucket deltas of two scrapes (linear interpolation within a bucket,
 *     as Prometheus' histogram_quantile), with the exact per-batch latencies
 *     from /progress and client round trips beside them.
 *  5. Soak: 80 % of the sustained NDJSON rate, paced, for SOAK_SECONDS; the
 *     server's VmRSS at start, every 10 s and at the end.
 *
 * Env: BENCH_SECONDS (10), BENCH_CONCURRENCY ("2,4,8"), COLUMNAR_CONCURRENCY
 * ("1,2,4"), LATENCY_SECONDS (20), SOAK_SECONDS (600), SERVER_CPU_PROF=<dir>
 * (run eddy with --cpu-prof into dir and print where its time goes).
 *
 * Prints tables, then one JSON line with the figures (last line).
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, closedLoop, paced, quantile, type LoadStats } from './server/load.js';
import { ColumnarPayload, EventClock, NdjsonPayload, type Payload } from './server/payloads.js';
import { BoundProcess, EddyProcess, benchConfig, machineBusySeconds } from './server/processes.js';
import { bucketDelta, bucketQuantile, bucketTotal, familyValue, histogramBuckets } from './server/histogram.js';
import { summarizeProfile } from './server/cpuProfile.js';
import type { QueryProgress } from '../src/engine/progress.js';

const envNumber = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got ${v}`);
  return n;
};
const envList = (name: string, fallback: number[]): number[] => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${name}: expected a list like 2,4,8, got ${v}`);
  return list;
};

const BENCH_SECONDS = envNumber('BENCH_SECONDS', 10);
const WARMUP_MS = Math.min(2000, BENCH_SECONDS * 250);
const NDJSON_CONCURRENCY = envList('BENCH_CONCURRENCY', [2, 4, 8]);
const COLUMNAR_CONCURRENCY = envList('COLUMNAR_CONCURRENCY', [1, 2, 4]);
const LATENCY_SECONDS = envNumber('LATENCY_SECONDS', 20);
const SOAK_SECONDS = envNumber('SOAK_SECONDS', 600);
const CPU_PROF_DIR = process.env.SERVER_CPU_PROF ? resolve(process.env.SERVER_CPU_PROF) : undefined;

const KEYS = 1000;
const NDJSON_EVENTS = 1000;
const FRAME_EVENTS = 65_536;
const MAX_QUEUED_EVENTS = 4_000_000;
const LATENCY_RATE = 100_000; // events/s
const SOAK_FRACTION = 0.8;
const RSS_EVERY_MS = 10_000;

const tmp = mkdtempSync(join(tmpdir(), 'eddy-bench-server-'));
const clock = new EventClock(1000 / KEYS); // one event per key per event second
const ndjson = (): Payload => new NdjsonPayload(NDJSON_EVENTS, KEYS);
const columnar = (): Payload => new ColumnarPayload(FRAME_EVENTS, KEYS);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);
const log = (line: string) => process.stderr.write(`bench:server: ${line}\n`);
const check = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`check failed: ${what}`);
};

function checkClean(stats: LoadStats, what: string): void {
  check(stats.errors === 0, `${what}: ${stats.errors} transport errors (${stats.firstError})`);
  check(Object.keys(stats.other).length === 0, `${what}: unexpected statuses ${JSON.stringify(stats.other)} (${stats.firstError})`);
  check(stats.rejected === 0, `${what}: ${stats.rejected} events rejected in 200 responses`);
}

async function startEddy(): Promise<EddyProcess> {
  const extra: string[] = [];
  if (CPU_PROF_DIR) {
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    extra.push('--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR);
  }
  return EddyProcess.start(tmp, benchConfig(MAX_QUEUED_EVENTS), extra);
}

/** Stops eddy gracefully (exit 0 expected); prints the CPU profile summary when profiling. */
async function stopEddy(eddy: EddyProcess, label: string): Promise<void> {
  const code = await eddy.stop();
  check(code === 0, `eddy serve (${label}) exited ${code}: ${eddy.stderr().slice(-2000)}`);
  if (!CPU_PROF_DIR) return;
  const newest = readdirSync(CPU_PROF_DIR)
    .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${eddy.pid}.`))
    .map((f) => join(CPU_PROF_DIR, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) {
    log(`no CPU profile of pid ${eddy.pid} in ${CPU_PROF_DIR}`);
    return;
  }
  const s = summarizeProfile(newest, 20);
  console.log(`\nCPU profile of eddy serve (${label}), ${newest}: ${fmt(s.totalMs)} ms sampled, ${fmt((100 * s.idleMs) / s.totalMs, 1)} % idle`);
  console.table(s.byFile.slice(0, 12).map((l) => ({ 'self time by file': l.name, ms: fmt(l.ms), '%': fmt(l.percent, 1) })));
  console.table(s.byFunction.map((l) => ({ 'self time by function': l.name, ms: fmt(l.ms), '%': fmt(l.percent, 1) })));
  console.table(s.byFunctionTotal.map((l) => ({ 'inclusive time by function': l.name, ms: fmt(l.ms), '%': fmt(l.percent, 1) })));
}

/** Cross-checks eddy's own counts against what the clients were told, once drained. */
async function crossCheck(eddy: EddyProcess, accepted: number, busy: number, label: string): Promise<{ late: number; windows: number; batches: number }> {
  const m = await eddy.metrics();
  const p = (await eddy.progress()).lastProgress;
  const input = familyValue(m, 'eddy_input_events_total');
  const busyServer = familyValue(m, 'eddy_ingest_busy_total');
  const rejected = familyValue(m, 'eddy_rejected_events_total');
  check(input === accepted, `${label}: eddy_input_events_total ${input} ≠ ${accepted} accepted in 200 responses`);
  check(busyServer === busy, `${label}: eddy_ingest_busy_total ${busyServer} ≠ ${busy} 503 responses`);
  check(rejected === 0, `${label}: eddy_rejected_events_total ${rejected}`);
  // a late event (behind the watermark when its request's turn came) is taken but counted apart from processed rows
  check(
    p !== null && p.totals.inputRows === accepted && p.totals.processedRows + p.totals.lateRows === accepted,
    `${label}: /progress totals ${JSON.stringify(p?.totals)} ≠ ${accepted} accepted`,
  );
  const windows = familyValue(m, 'eddy_windows_emitted_total');
  check(windows > 0, `${label}: no window results emitted`);
  return { late: familyValue(m, 'eddy_late_events_total'), windows, batches: familyValue(m, 'eddy_batches_total') };
}

interface ThroughputRow {
  target: string;
  format: string;
  concurrency: number;
  eventsPerS: number;
  /** accepted ÷ load time only (before the drain). */
  acceptedPerS: number;
  drainMs: number;
  requests: number;
  busy: number;
  serverCpu: number;
  clientCpu: number;
  /** CPU % (of one core) used by every other process on the machine meanwhile: interference. */
  otherCpu: number;
  eventsPerBatch?: number;
}

/** CPU use over a run: the server, this process (the load generator), and everything else on the machine. */
function cpuMeter(serverCpuSeconds: () => number): () => { server: number; client: number; other: number } {
  const s0 = serverCpuSeconds(),
    m0 = machineBusySeconds(),
    c0 = process.cpuUsage(),
    t0 = performance.now();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const server = serverCpuSeconds() - s0;
    const c = process.cpuUsage(c0);
    const client = (c.user + c.system) / 1e6;
    const other = Math.max(0, machineBusySeconds() - m0 - server - client);
    return { server: (100 * server) / wall, client: (100 * client) / wall, other: (100 * other) / wall };
  };
}

/** One measured run on eddy: warm-up, drain, BENCH_SECONDS of load, drain. */
async function eddyRun(
  eddy: EddyProcess,
  make: () => Payload,
  concurrency: number,
  totals: { accepted: number; busy: number },
  format: string,
): Promise<ThroughputRow> {
  const client = new Client(eddy.port, concurrency);
  try {
    const warm = await closedLoop(client, make, concurrency, WARMUP_MS, clock);
    checkClean(warm, `${format} warm-up`);
    totals.accepted += warm.accepted;
    totals.busy += warm.busy;
    await eddy.drain(totals.accepted);
    const batches0 = familyValue(await eddy.metrics(), 'eddy_batches_total');
    const meter = cpuMeter(() => eddy.cpuSeconds());
    const s = await closedLoop(client, make, concurrency, BENCH_SECONDS * 1000, clock);
    totals.accepted += s.accepted;
    totals.busy += s.busy;
    const drainMs = await eddy.drain(totals.accepted);
    const cpu = meter();
    checkClean(s, `${format} c=${concurrency}`);
    const batches = familyValue(await eddy.metrics(), 'eddy_batches_total') - batches0;
    const wall = (s.ms + drainMs) / 1000;
    return {
      target: 'eddy',
      format,
      concurrency,
      eventsPerS: s.accepted / wall,
      acceptedPerS: s.accepted / (s.ms / 1000),
      drainMs,
      requests: s.requests,
      busy: s.busy,
      serverCpu: cpu.server,
      clientCpu: cpu.client,
      otherCpu: cpu.other,
      eventsPerBatch: s.accepted / Math.max(1, batches),
    };
  } finally {
    client.close();
  }
}

async function boundRun(bound: BoundProcess, concurrency: number): Promise<ThroughputRow> {
  const client = new Client(bound.port, concurrency);
  try {
    const warm = await closedLoop(client, ndjson, concurrency, WARMUP_MS, clock);
    checkClean(warm, 'bound warm-up');
    const meter = cpuMeter(() => bound.cpuSeconds());
    const s = await closedLoop(client, ndjson, concurrency, BENCH_SECONDS * 1000, clock);
    const cpu = meter();
    checkClean(s, `bound c=${concurrency}`);
    check(s.accepted === s.ok * NDJSON_EVENTS && s.busy === 0, `bound: ${s.accepted} parsed in ${s.ok} responses`);
    const wall = s.ms / 1000;
    return {
      target: 'JSON.parse bound',
      format: 'ndjson',
      concurrency,
      eventsPerS: s.accepted / wall,
      acceptedPerS: s.accepted / wall,
      drainMs: 0,
      requests: s.requests,
      busy: s.busy,
      serverCpu: cpu.server,
      clientCpu: cpu.client,
      otherCpu: cpu.other,
    };
  } finally {
    client.close();
  }
}

const best = (rows: ThroughputRow[]): ThroughputRow => rows.reduce((a, b) => (b.eventsPerS > a.eventsPerS ? b : a));

function throughputTable(rows: ThroughputRow[]): void {
  console.table(
    rows.map((r) => ({
      server: r.target,
      payload: r.format,
      conns: r.concurrency,
      'sustained events/s': fmt(r.eventsPerS),
      'accepted events/s (load only)': fmt(r.acceptedPerS),
      'drain ms': fmt(r.drainMs),
      requests: r.requests,
      '503s': r.busy,
      'events/engine batch': r.eventsPerBatch === undefined ? '' : fmt(r.eventsPerBatch),
      'server CPU %': fmt(r.serverCpu),
      'client CPU %': fmt(r.clientCpu),
      'other procs CPU %': fmt(r.otherCpu),
    })),
  );
}

// ── 1. NDJSON on eddy (after a check of both payload kinds) ───────────────
log(`phases: ${BENCH_SECONDS} s per throughput run (+${WARMUP_MS} ms warm-up), latency ${LATENCY_SECONDS} s, soak ${SOAK_SECONDS} s`);
const rows: ThroughputRow[] = [];
let eddy = await startEddy();
const ndTotals = { accepted: 0, busy: 0 };
{
  const client = new Client(eddy.port, 1);
  const a = await client.post(ndjson().prepare(clock.next(NDJSON_EVENTS)), 'application/x-ndjson');
  const frame = columnar();
  const b = await client.post(frame.prepare(clock.next(FRAME_EVENTS)), frame.contentType);
  client.close();
  check(a.status === 200 && (JSON.parse(a.text) as { accepted: number }).accepted === NDJSON_EVENTS, `NDJSON check request: ${a.status} ${a.text}`);
  check(b.status === 200 && (JSON.parse(b.text) as { accepted: number }).accepted === FRAME_EVENTS, `columnar check request: ${b.status} ${b.text}`);
  ndTotals.accepted = NDJSON_EVENTS + FRAME_EVENTS;
  await eddy.drain(ndTotals.accepted);
  const p = (await eddy.progress()).lastProgress!;
  check(
    p.totals.processedRows === ndTotals.accepted && p.numKeys === KEYS,
    `check requests: ${JSON.stringify(p.totals)}, ${p.numKeys} keys (NDJSON and columnar keys must intern alike)`,
  );
  console.log(`checked: ${NDJSON_EVENTS} NDJSON + ${FRAME_EVENTS} columnar events accepted and processed, ${p.numKeys} keys`);
}
for (const c of NDJSON_CONCURRENCY) {
  log(`NDJSON on eddy, ${c} connections`);
  rows.push(await eddyRun(eddy, ndjson, c, ndTotals, 'ndjson'));
}
const ndCheck = await crossCheck(eddy, ndTotals.accepted, ndTotals.busy, 'NDJSON');
await stopEddy(eddy, 'NDJSON');

// ── 2. the JSON.parse-only bound ───────────────────────────────────────────
const bound = await BoundProcess.start();
for (const c of NDJSON_CONCURRENCY) {
  log(`NDJSON on the JSON.parse bound, ${c} connections`);
  rows.push(await boundRun(bound, c));
}
await bound.stop();

// ── 3. columnar on eddy ───────────────────────────────────────────────────
eddy = await startEddy();
const colTotals = { accepted: 0, busy: 0 };
for (const c of COLUMNAR_CONCURRENCY) {
  log(`columnar on eddy, ${c} connections`);
  rows.push(await eddyRun(eddy, columnar, c, colTotals, 'columnar'));
}
const colCheck = await crossCheck(eddy, colTotals.accepted, colTotals.busy, 'columnar');
await stopEddy(eddy, 'columnar');

const ndBest = best(rows.filter((r) => r.target === 'eddy' && r.format === 'ndjson'));
const boundBest = best(rows.filter((r) => r.target !== 'eddy'));
const colBest = best(rows.filter((r) => r.format === 'columnar'));

// ── 4. latency at 100 k events/s ──────────────────────────────────────────
log(`latency: ${LATENCY_RATE / NDJSON_EVENTS} requests/s of ${NDJSON_EVENTS} events for ${LATENCY_SECONDS} s`);
eddy = await startEddy();
const latTotals = { accepted: 0, busy: 0 };
const reqRate = LATENCY_RATE / NDJSON_EVENTS;
const latClient = new Client(eddy.port, 4);
{
  const warm = await paced(latClient, ndjson, reqRate, 2000, 4, clock);
  checkClean(warm, 'latency warm-up');
  latTotals.accepted += warm.accepted;
  latTotals.busy += warm.busy;
  await eddy.drain(latTotals.accepted);
}
const LAT_METRIC = 'eddy_event_to_result_latency_seconds';
const m0 = await eddy.metrics();
const batch0 = (await eddy.progress()).lastProgress!.batchId;
const seen = new Map<number, QueryProgress>();
let polling = true;
const poller = (async () => {
  while (polling) {
    await new Promise((r) => setTimeout(r, 500));
    for (const q of (await eddy.progress()).recentProgress) if (q.batchId > batch0) seen.set(q.batchId, q);
  }
})();
const latMeter = cpuMeter(() => eddy.cpuSeconds());
const lat = await paced(latClient, ndjson, reqRate, LATENCY_SECONDS * 1000, 4, clock);
const latCpu = latMeter();
latClient.close();
checkClean(lat, 'latency run');
latTotals.accepted += lat.accepted;
latTotals.busy += lat.busy;
await eddy.drain(latTotals.accepted);
polling = false;
await poller;
for (const q of (await eddy.progress()).recentProgress) if (q.batchId > batch0) seen.set(q.batchId, q);
const m1 = await eddy.metrics();
const batch1 = (await eddy.progress()).lastProgress!.batchId;
await crossCheck(eddy, latTotals.accepted, latTotals.busy, 'latency');
await stopEddy(eddy, 'latency');
const delta = bucketDelta(histogramBuckets(m0, LAT_METRIC), histogramBuckets(m1, LAT_METRIC));
const latBatches = bucketTotal(delta);
check(latBatches === batch1 - batch0, `latency histogram holds ${latBatches} batches, /progress says ${batch1 - batch0}`);
const p50ms = bucketQuantile(delta, 0.5) * 1000;
const p99ms = bucketQuantile(delta, 0.99) * 1000;
const measured = [...seen.values()].filter((q) => q.batchId <= batch1 && q.latencyMs !== null);
const exact = measured.map((q) => q.latencyMs!);
const exactRows = measured.map((q) => q.numInputRows);
// Batches that closed windows (wrote results) against those that only folded events in.
const emitting = measured.filter((q) => q.numOutputRows > 0);
const quiet = measured.filter((q) => q.numOutputRows === 0);
const latOf = (qs: QueryProgress[]) => qs.map((q) => q.latencyMs!);
const rtt = lat.rtt!;

// ── 5. soak at 80 % of the sustained NDJSON rate ──────────────────────────
const soakEventsPerS = SOAK_FRACTION * ndBest.eventsPerS;
const soakReqRate = soakEventsPerS / NDJSON_EVENTS;
log(`soak: ${fmt(soakEventsPerS)} events/s (${fmt(soakReqRate, 1)} requests/s) for ${SOAK_SECONDS} s`);
eddy = await startEddy();
const rss: { s: number; mb: number }[] = [{ s: 0, mb: eddy.rssMb() }];
const soakM0 = await eddy.metrics();
// An open-loop producer needs more requests in flight than the closed loop's connections to hold the rate.
const soakSockets = Math.max(8, 2 * ndBest.concurrency);
const soakClient = new Client(eddy.port, soakSockets);
const soakStart = performance.now();
const sampler = setInterval(() => rss.push({ s: Math.round((performance.now() - soakStart) / 1000), mb: eddy.rssMb() }), RSS_EVERY_MS);
const soakMeter = cpuMeter(() => eddy.cpuSeconds());
const soak = await paced(soakClient, ndjson, soakReqRate, SOAK_SECONDS * 1000, soakSockets, clock);
clearInterval(sampler);
const soakCpu = soakMeter();
soakClient.close();
checkClean(soak, 'soak');
await eddy.drain(soak.accepted);
rss.push({ s: Math.round((performance.now() - soakStart) / 1000), mb: eddy.rssMb() });
const soakM1 = await eddy.metrics();
const soakCheck = await crossCheck(eddy, soak.accepted, soak.busy, 'soak');
const soakLat = bucketDelta(histogramBuckets(soakM0, LAT_METRIC), histogramBuckets(soakM1, LAT_METRIC));
await stopEddy(eddy, 'soak');
rmSync(tmp, { recursive: true, force: true });

// RSS is flat when, after the first quarter (at most 60 s) of the soak, the mean of the last third of the
// samples exceeds the mean of the first third by no more than max(10 MB, 10 %): means, not single
// samples, because the heap's GC sawtooth moves RSS by several MB between two samples.
const settleS = Math.min(60, SOAK_SECONDS / 4);
const steady = rss.filter((r) => r.s >= settleS);
const third = Math.max(1, Math.floor(steady.length / 3));
const meanMb = (xs: { mb: number }[]) => xs.reduce((a, r) => a + r.mb, 0) / xs.length;
const steadyFirst = steady.length > 0 ? meanMb(steady.slice(0, third)) : NaN;
const steadyLast = steady.length > 0 ? meanMb(steady.slice(-third)) : NaN;
const rssEnd = rss[rss.length - 1]!.mb;
const rssMax = Math.max(...rss.map((r) => r.mb));
const growth = steadyLast - steadyFirst;
const flat = steady.length >= 2 && growth <= Math.max(10, 0.1 * steadyFirst);
const slope = (() => {
  if (steady.length < 2) return NaN;
  const n = steady.length,
    mx = steady.reduce((a, r) => a + r.s, 0) / n,
    my = steady.reduce((a, r) => a + r.mb, 0) / n;
  const sxy = steady.reduce((a, r) => a + (r.s - mx) * (r.mb - my), 0),
    sxx = steady.reduce((a, r) => a + (r.s - mx) ** 2, 0);
  return (sxy / sxx) * 60;
})();

// ── report ─────────────────────────────────────────────────────────────────
console.log('\nThroughput (sustained = accepted in 200 responses ÷ (load time + engine drain time); CPU % of one core):');
throughputTable(rows);
const ratio = ndBest.eventsPerS / boundBest.eventsPerS;
console.log(
  `NDJSON: ${fmt(ndBest.eventsPerS)} events/s with ${ndBest.concurrency} connections; JSON.parse bound ${fmt(boundBest.eventsPerS)} events/s with ${boundBest.concurrency}; eddy ÷ bound = ${ratio.toFixed(2)} (target: ≥ 1.5× the bound (issue 10): ${ratio >= 1.5 ? 'met' : 'MISSED'})`,
);
console.log(
  `columnar: ${fmt(colBest.eventsPerS)} events/s with ${colBest.concurrency} connections (target ≥ 20 M: ${colBest.eventsPerS >= 20e6 ? 'met' : 'MISSED'})`,
);
console.log(`late events: ${ndCheck.late} (NDJSON), ${colCheck.late} (columnar); windows emitted: ${fmt(ndCheck.windows)} / ${fmt(colCheck.windows)}`);

console.log(
  `\nLatency at ${fmt(LATENCY_RATE)} events/s (${reqRate} requests/s × ${NDJSON_EVENTS}, ${LATENCY_SECONDS} s, ${fmt(lat.ok)} requests, ${lat.busy} 503s, ${lat.heldBack} waits for a free connection):`,
);
console.table([
  {
    measure: `eddy_event_to_result_latency_seconds, bucket deltas, interpolated (${latBatches} engine batches)`,
    'p50 ms': fmt(p50ms, 3),
    'p99 ms': fmt(p99ms, 3),
    'max ms': '',
  },
  {
    measure: `per-batch latencyMs from /progress, exact (${exact.length} of ${batch1 - batch0} batches, ${fmt(exactRows.reduce((a, b) => a + b, 0) / Math.max(1, exactRows.length))} events each)`,
    'p50 ms': fmt(quantile(exact, 0.5), 3),
    'p99 ms': fmt(quantile(exact, 0.99), 3),
    'max ms': fmt(Math.max(...exact), 3),
  },
  {
    measure: `  of which batches closing windows (${emitting.length}, ${fmt(emitting.reduce((a, q) => a + q.numOutputRows, 0) / Math.max(1, emitting.length))} results each)`,
    'p50 ms': fmt(quantile(latOf(emitting), 0.5), 3),
    'p99 ms': fmt(quantile(latOf(emitting), 0.99), 3),
    'max ms': fmt(Math.max(...latOf(emitting)), 3),
  },
  {
    measure: `  of which batches without results (${quiet.length})`,
    'p50 ms': fmt(quantile(latOf(quiet), 0.5), 3),
    'p99 ms': fmt(quantile(latOf(quiet), 0.99), 3),
    'max ms': fmt(Math.max(...latOf(quiet)), 3),
  },
  {
    measure: `client round trip of POST /ingest (${rtt.length} requests)`,
    'p50 ms': fmt(quantile(rtt, 0.5), 3),
    'p99 ms': fmt(quantile(rtt, 0.99), 3),
    'max ms': fmt(Math.max(...rtt), 3),
  },
]);
const mean = (qs: QueryProgress[], f: (q: QueryProgress) => number) => qs.reduce((a, q) => a + f(q), 0) / Math.max(1, qs.length);
console.log(
  `engine time per batch (mean ms: encode / wasm process / write results): closing windows ${[(q: QueryProgress) => q.durationMs.encode, (q: QueryProgress) => q.durationMs.process, (q: QueryProgress) => q.durationMs.write].map((f) => fmt(mean(emitting, f), 2)).join(' / ')}; without results ${[(q: QueryProgress) => q.durationMs.encode, (q: QueryProgress) => q.durationMs.process, (q: QueryProgress) => q.durationMs.write].map((f) => fmt(mean(quiet, f), 2)).join(' / ')}`,
);
console.log(
  `(the histogram observes one value per engine batch: from receipt of the batch's oldest event to its results being written; target p99 ≤ 5 ms: ${p99ms <= 5 ? 'met' : 'MISSED'}; CPU % server ${fmt(latCpu.server)}, client ${fmt(latCpu.client)}, other processes ${fmt(latCpu.other)})`,
);

console.log(
  `\nSoak: ${SOAK_SECONDS} s at ${fmt(soak.accepted / (soak.ms / 1000))} events/s (target ${fmt(soakEventsPerS)}), ${fmt(soak.ok)} requests, ${soak.busy} 503s, ${soak.heldBack} waits for a free connection; round trip p50 ${fmt(quantile(soak.rtt!, 0.5), 2)} ms, p99 ${fmt(quantile(soak.rtt!, 0.99), 2)} ms; server latency p50 ${fmt(bucketQuantile(soakLat, 0.5) * 1000, 2)} ms, p99 ${fmt(bucketQuantile(soakLat, 0.99) * 1000, 2)} ms; ${soakCheck.late} late events; ${soakSockets} connections; CPU % server ${fmt(soakCpu.server)}, client ${fmt(soakCpu.client)}, other processes ${fmt(soakCpu.other)}`,
);
console.log(`RSS (MB) every ${RSS_EVERY_MS / 1000} s: ${rss.map((r) => `${r.s}s ${r.mb.toFixed(0)}`).join(', ')}`);
console.log(
  `RSS start ${rss[0]!.mb.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB, max ${rssMax.toFixed(1)} MB; after ${settleS} s: first third ${steadyFirst.toFixed(1)} MB → last third ${steadyLast.toFixed(1)} MB (mean of samples; least-squares slope ${slope.toFixed(2)} MB/min): ${flat ? 'flat' : 'GROWING'}`,
);

// Other processes on this 2-core machine take CPU from the server and the load generator: say so.
const interference = [
  ...rows.map((r) => ({ what: `${r.target} ${r.format} c=${r.concurrency}`, other: r.otherCpu })),
  { what: 'latency run', other: latCpu.other },
  { what: 'soak', other: soakCpu.other },
];
const disturbed = interference.filter((i) => i.other > 20);
if (disturbed.length > 0) {
  console.log(
    `\nWARNING: other processes used CPU during ${disturbed.map((i) => `${i.what} (${fmt(i.other)} %)`).join(', ')}; on 2 cores this depresses those figures — rerun on a quiet machine.`,
  );
}

console.log(
  JSON.stringify({
    bench: 'server',
    ndjson_events_per_s: Math.round(ndBest.eventsPerS),
    json_parse_bound_events_per_s: Math.round(boundBest.eventsPerS),
    ndjson_vs_bound: Number(ratio.toFixed(3)),
    columnar_events_per_s: Math.round(colBest.eventsPerS),
    p50_ms: Number(p50ms.toFixed(3)),
    p99_ms: Number(p99ms.toFixed(3)),
    soak_seconds: SOAK_SECONDS,
    soak_rss_start_mb: Number(rss[0]!.mb.toFixed(1)),
    soak_rss_end_mb: Number(rssEnd.toFixed(1)),
    soak_rss_max_mb: Number(rssMax.toFixed(1)),
    soak_rss_flat: flat,
    ndjson_concurrency: ndBest.concurrency,
    columnar_concurrency: colBest.concurrency,
    ndjson_503s: rows.filter((r) => r.target === 'eddy' && r.format === 'ndjson').reduce((a, r) => a + r.busy, 0),
    p99_batch_exact_ms: Number(quantile(exact, 0.99).toFixed(3)),
    p99_rtt_ms: Number(quantile(rtt, 0.99).toFixed(3)),
    bench_seconds: BENCH_SECONDS,
    max_other_cpu_pct: Math.round(Math.max(...interference.map((i) => i.other))),
  }),
);
