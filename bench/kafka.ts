/**
 * `npm run bench:kafka`: eddy consuming a real Kafka topic, against the bound
 * a bare kafkajs consumer sets, on one core.
 *
 * Broker: 127.0.0.1:9092 (EDDY_KAFKA_PORT), started with scripts/kafka.sh if
 * it is not running (and then stopped at the end; a broker that was already
 * running is left alone). Topics and groups get unique names and are deleted
 * at the end.
 *
 * Workload (bench/kafka/workload.ts): BENCH_EVENTS events (10,000,000), 10,000
 * keys (BENCH_KEYS), one event per key every 10 s of event time
 * (BENCH_STEP_MS), fields timestamp (epoch ms), metric, value, type; 8
 * partitions (BENCH_PARTITIONS), partition = key mod 8 (the producer
 * partitions by key), no compression.
 *
 *  1. Produce: the topic twice, one event per message and 100 events per
 *     message (NDJSON, BENCH_PER_MESSAGE); events/s, JSON text included.
 *  2. Raw kafkajs bound: a consumer (eddy's consumer settings) whose eachBatch
 *     only JSON.parses each value / each line, whole topic from earliest.
 *  3. eddy: the same topic through startPipeline with a Kafka source
 *     (auto.offset.reset earliest, a fresh group): windows 5 min / 1 min,
 *     delay 10 min, default aggregates, z-score (anomaly_threshold), Holt
 *     (forecast), two threshold patterns and a sequence pattern on `type`,
 *     checkpoints to a temp dir every 10 s (the default), into counting
 *     sinks (the engine builds every record as for any sink). Timed from the
 *     first batch delivered until progress totals reach every event; then
 *     stopped (a topic has no end: each partition ends with one event far
 *     ahead that closes every window of the workload), and checked: Σ count over all windows = 5 × events
 *     (each event in size/slide windows), Σ avg·count = 5 × Σ value, no late
 *     rows, no errors.
 *  4. Restore: an engine with 1,000,000 keys (BENCH_RESTORE_KEYS) and the
 *     same plan, checkpointed with CheckpointStore (size, write time); then,
 *     in a new process, a fresh BatchEngine + latest() + restore() (checked:
 *     same keys, byte-identical state).
 *
 * Steps 2-4 run in child processes (bench/kafka/consume.ts, restore.ts): eddy
 * runs in a child of this process, one per measured run, as does the raw
 * consumer. Each figure is one run's; BENCH_RUNS=n repeats 2 and 3 n times
 * (alternating raw and eddy) and keeps each one's best. Events/s are wall
 * clock; CPU-seconds of the consumer process are reported beside them (on a
 * busy machine events per CPU-second is the steadier comparison).
 * BENCH_CPU_PROF=<dir>: profile each consumer over its timed region (V8
 * sampling profiler via node:inspector, 0.5 ms interval), write
 * <dir>/<run>.cpuprofile and print where the time goes.
 *
 * Prints a table, then one JSON line with the figures (last line).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { produceTopic, type ProduceResult } from './kafka/produce.js';
import { runChild } from './kafka/child.js';
import type { ConsumeResult, ConsumeSpec } from './kafka/consume.js';
import type { BuildResult, RestoreResult, RestoreSpec } from './kafka/restore.js';
import type { Workload } from './kafka/workload.js';
import { summarizeProfile } from './server/cpuProfile.js';

const envNumber = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer, got ${v}`);
  return n;
};

const EVENTS = envNumber('BENCH_EVENTS', 10_000_000);
const KEYS = envNumber('BENCH_KEYS', 10_000);
const PARTITIONS = envNumber('BENCH_PARTITIONS', 8);
const STEP_MS = envNumber('BENCH_STEP_MS', 10_000);
const PER_MESSAGE = envNumber('BENCH_PER_MESSAGE', 100);
const RESTORE_KEYS = envNumber('BENCH_RESTORE_KEYS', 1_000_000);
const RESTORE_DETECTOR_KEYS = envNumber('BENCH_RESTORE_DETECTOR_KEYS', 10_000);
const RUNS = envNumber('BENCH_RUNS', 1);
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const BROKER = `127.0.0.1:${process.env.EDDY_KAFKA_PORT ?? '9092'}`;
const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));
const SIZE_OVER_SLIDE = 5; // windows 5 min / 1 min: every event is in 5 windows

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const log = (line: string): void => {
  process.stderr.write(`bench:kafka: ${line}\n`);
};
const unique = (what: string): string => `eddy-bench-kafka-${what}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

// ── broker ─────────────────────────────────────────────────────────────────
function brokerRunning(): boolean {
  return spawnSync(KAFKA_SH, ['status'], { stdio: 'ignore' }).status === 0;
}
let startedBroker = false;
if (!brokerRunning()) {
  log(`no broker on ${BROKER}: starting one with scripts/kafka.sh`);
  const r = spawnSync(KAFKA_SH, ['start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/kafka.sh start failed');
  startedBroker = true;
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const kafka = new Kafka({ clientId: 'eddy-bench', brokers: [BROKER], logLevel: logLevel.WARN, retry: { retries: 8, initialRetryTime: 200 } });
const admin: Admin = kafka.admin();
const topics: string[] = [];
const groups: string[] = [];
const tempDirs: string[] = [];

async function createTopic(name: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic: name, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  topics.push(name);
  for (let i = 0; ; i++) {
    const md = await admin.fetchTopicMetadata({ topics: [name] });
    const t = md.topics[0];
    if (t?.partitions.length === PARTITIONS && t.partitions.every((p) => p.leader >= 0)) return;
    if (i > 150) throw new Error(`topic ${name}: partitions have no leader after 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  try {
    if (groups.length > 0) await admin.deleteGroups(groups).catch((e: unknown) => log(`could not delete groups: ${(e as Error).message}`));
    if (topics.length > 0)
      await admin.deleteTopics({ topics }).catch((e: unknown) => log(`could not delete topics ${topics.join(', ')}: ${(e as Error).message}`));
    await admin.disconnect();
  } finally {
    if (startedBroker) spawnSync(KAFKA_SH, ['stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: deleting the bench topics and groups`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ── runs ───────────────────────────────────────────────────────────────────
interface Pair {
  raw: ConsumeResult;
  eddy: ConsumeResult;
}

const timeoutMs = Math.max(180_000, (EVENTS / 20_000) * 1000);

async function consume(mode: 'raw' | 'eddy', topic: string, perMessage: number, produced: ProduceResult, label: string): Promise<ConsumeResult> {
  const groupId = unique(`${mode}-group`);
  groups.push(groupId);
  const spec: ConsumeSpec = { mode, broker: BROKER, topic, groupId, perMessage, expected: { events: produced.events, valueSum: produced.valueSum }, timeoutMs };
  if (mode === 'eddy') {
    spec.checkpointDir = mkdtempSync(join(tmpdir(), 'eddy-bench-kafka-chk-'));
    tempDirs.push(spec.checkpointDir);
  }
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    spec.profileFile = join(PROFILE_DIR, `${label}.cpuprofile`);
  }
  const r = await runChild<ConsumeResult>('./consume.js', spec, { label, timeoutMs: timeoutMs + 60_000 });
  if (spec.checkpointDir) rmSync(spec.checkpointDir, { recursive: true, force: true });
  check(r, produced);
  if (spec.profileFile) printProfile(spec.profileFile, label);
  return r;
}

/** Results are checked before anything is reported. */
function check(r: ConsumeResult, produced: ProduceResult): void {
  const what = `${r.mode} (${r.perMessage} per message)`;
  if (r.events !== produced.events) throw new Error(`${what}: consumed ${r.events} events, produced ${produced.events}`);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  if (!close(r.valueSum, produced.valueSum)) throw new Error(`${what}: Σ value ${r.valueSum} ≠ produced ${produced.valueSum}`);
  const d = r.eddy;
  if (d) {
    if (d.errors !== 0) throw new Error(`${what}: ${d.errors} rows rejected`);
    if (d.lateRows !== 0) throw new Error(`${what}: ${d.lateRows} late rows (the topic is in event-time order per key)`);
    // the closing events' own windows stay open: every other event is in SIZE_OVER_SLIDE emitted windows
    const windowed = produced.events - produced.closers;
    if (d.windowMemberships !== SIZE_OVER_SLIDE * windowed) {
      throw new Error(`${what}: Σ count over windows is ${d.windowMemberships}, expected ${SIZE_OVER_SLIDE} × ${windowed}`);
    }
    if (!close(d.weightedValueSum, SIZE_OVER_SLIDE * produced.valueSum)) {
      throw new Error(`${what}: Σ avg·count over windows is ${d.weightedValueSum}, expected ${SIZE_OVER_SLIDE} × ${produced.valueSum}`);
    }
    if (d.forecasts === 0) throw new Error(`${what}: no window carries a forecast`);
  }
}

function printProfile(file: string, label: string): void {
  const s = summarizeProfile(file, 20);
  const busy = s.totalMs - s.idleMs;
  console.log(`\nCPU profile of ${label}, timed region only (${file}): ${fmt(busy)} ms busy, ${fmt(s.idleMs)} ms idle`);
  const pct = (ms: number) => ((100 * ms) / busy).toFixed(1);
  console.table(
    s.byFunction
      .filter((l) => !l.name.startsWith('(idle)'))
      .slice(0, 15)
      .map((l) => ({ 'self time (function)': l.name, ms: Math.round(l.ms), '% of busy': pct(l.ms) })),
  );
  console.table(
    s.byFunctionTotal
      .filter((l) => !l.name.startsWith('(idle)'))
      .slice(0, 15)
      .map((l) => ({ 'inclusive (function)': l.name, ms: Math.round(l.ms), '% of busy': pct(l.ms) })),
  );
  console.table(
    s.byFile
      .filter((l) => l.name !== '(native)')
      .slice(0, 12)
      .map((l) => ({ 'self time (file)': l.name, ms: Math.round(l.ms), '% of busy': pct(l.ms) })),
  );
}

const best = (a: ConsumeResult | undefined, b: ConsumeResult): ConsumeResult => (a && a.eventsPerS >= b.eventsPerS ? a : b);

async function compare(topic: string, perMessage: number, produced: ProduceResult): Promise<Pair> {
  let raw: ConsumeResult | undefined, eddy: ConsumeResult | undefined;
  for (let run = 1; run <= RUNS; run++) {
    const tag = `${perMessage}-per-message${RUNS > 1 ? `-run${run}` : ''}`;
    log(`raw kafkajs consumer, ${perMessage} event(s) per message${RUNS > 1 ? `, run ${run}/${RUNS}` : ''}…`);
    const r = await consume('raw', topic, perMessage, produced, `raw-${tag}`);
    log(`  ${fmt(r.eventsPerS)} events/s (${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} CPU-s)`);
    raw = best(raw, r);
    log(`eddy, ${perMessage} event(s) per message${RUNS > 1 ? `, run ${run}/${RUNS}` : ''}…`);
    const e = await consume('eddy', topic, perMessage, produced, `eddy-${tag}`);
    log(`  ${fmt(e.eventsPerS)} events/s (${e.seconds.toFixed(2)} s, ${e.cpuSeconds.toFixed(2)} CPU-s)`);
    eddy = best(eddy, e);
  }
  return { raw: raw!, eddy: eddy! };
}

let exitCode = 0;
try {
  await admin.connect();
  const workload = (perMessage: number): Workload => ({ events: EVENTS, keys: KEYS, partitions: PARTITIONS, stepMs: STEP_MS, perMessage });

  // 1. produce
  const singleTopic = unique('single');
  const batchedTopic = unique(`x${PER_MESSAGE}`);
  await createTopic(singleTopic);
  await createTopic(batchedTopic);
  log(`producing ${fmt(EVENTS)} events, 1 per message, to ${singleTopic}…`);
  const prodSingle = await produceTopic(kafka, singleTopic, workload(1));
  log(`  ${fmt(prodSingle.events / prodSingle.seconds)} events/s`);
  log(`producing ${fmt(EVENTS)} events, ${PER_MESSAGE} per message, to ${batchedTopic}…`);
  const prodBatched = await produceTopic(kafka, batchedTopic, workload(PER_MESSAGE));
  log(`  ${fmt(prodBatched.events / prodBatched.seconds)} events/s`);
  for (const [topic, p] of [
    [singleTopic, prodSingle],
    [batchedTopic, prodBatched],
  ] as const) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    if (total !== p.messages) throw new Error(`topic ${topic} holds ${total} messages, ${p.messages} were sent`);
  }

  // 2 + 3. raw bound and eddy, one and many events per message
  const single = await compare(singleTopic, 1, prodSingle);
  const batched = await compare(batchedTopic, PER_MESSAGE, prodBatched);

  // 4. checkpoint and restore of 1 M keys (z-score only), and of fewer keys with the default detector
  const restoreRun = async (keys: number, detector: boolean): Promise<{ built: BuildResult; restored: RestoreResult }> => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-kafka-restore-'));
    tempDirs.push(dir);
    const what = `${fmt(keys)} keys, ${detector ? 'with the default anomaly score' : 'z-score only'}`;
    log(`building an engine with ${what}, and checkpointing it…`);
    const built = await runChild<BuildResult>('./restore.js', { mode: 'build', keys, dir, detector } satisfies RestoreSpec, {
      label: 'build',
      timeoutMs: 1_800_000,
    });
    log(`  ${fmt(built.checkpointBytes)} bytes, written in ${fmt(built.writeMs)} ms; restoring it in a new process…`);
    const restored = await runChild<RestoreResult>('./restore.js', { mode: 'restore', keys, dir, detector, nextRound: built.nextRound } satisfies RestoreSpec, {
      label: 'restore',
      timeoutMs: 1_800_000,
    });
    log(`  ${fmt(restored.totalMs)} ms`);
    rmSync(dir, { recursive: true, force: true });
    if (restored.checkpointBytes !== built.checkpointBytes)
      throw new Error(`restore read ${restored.checkpointBytes} bytes, build wrote ${built.checkpointBytes}`);
    return { built, restored };
  };
  const big = await restoreRun(RESTORE_KEYS, false);
  const withDetector = await restoreRun(RESTORE_DETECTOR_KEYS, true);

  // ── report ───────────────────────────────────────────────────────────────
  const ratio = single.eddy.eventsPerS / single.raw.eventsPerS;
  const ratioBatched = batched.eddy.eventsPerS / batched.raw.eventsPerS;
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const consumeRow = (name: string, r: ConsumeResult, bound?: ConsumeResult) => ({
    step: name,
    'events/s': fmt(r.eventsPerS),
    'vs raw': bound ? `${((100 * r.eventsPerS) / bound.eventsPerS).toFixed(1)} %` : '',
    seconds: r.seconds.toFixed(2),
    'CPU-s': r.cpuSeconds.toFixed(2),
    'events/CPU-s': fmt(r.eventsPerCpuS),
    'vs raw (CPU)': bound ? `${((100 * r.eventsPerCpuS) / bound.eventsPerCpuS).toFixed(1)} %` : '',
    'join s': r.joinSeconds.toFixed(2),
  });
  const produceRow = (name: string, p: ProduceResult) => ({
    step: name,
    'events/s': fmt(p.events / p.seconds),
    'vs raw': '',
    seconds: p.seconds.toFixed(2),
    'CPU-s': '',
    'events/CPU-s': '',
    'vs raw (CPU)': '',
    'join s': `${fmt(p.messages / p.seconds)} msg/s, ${mb(p.bytes / p.seconds)} MiB/s`,
  });
  console.table([
    produceRow('produce, 1 event/message', prodSingle),
    produceRow(`produce, ${PER_MESSAGE} events/message (NDJSON)`, prodBatched),
    consumeRow('raw kafkajs bound, 1/message', single.raw),
    consumeRow('eddy, 1/message', single.eddy, single.raw),
    consumeRow(`raw kafkajs bound, ${PER_MESSAGE}/message`, batched.raw),
    consumeRow(`eddy, ${PER_MESSAGE}/message`, batched.eddy, batched.raw),
  ]);
  for (const [name, r] of [
    ['1/message', single.eddy],
    [`${PER_MESSAGE}/message`, batched.eddy],
  ] as const) {
    const d = r.eddy!;
    const engine = d.engineMs.encode + d.engineMs.process + d.engineMs.write;
    console.log(
      `eddy ${name}: ${d.batches} engine batches; engine time ${fmt(engine)} ms of ${fmt(r.seconds * 1000)} ms ` +
        `(encode ${fmt(d.engineMs.encode)}, core ${fmt(d.engineMs.process)}, records + sinks ${fmt(d.engineMs.write)}); ` +
        `${fmt(d.windows)} windows, ${fmt(d.anomalies)} anomalies, ` +
        `${fmt(d.thresholdHits)} with threshold patterns, ${fmt(d.matches)} sequence matches; ${d.checkpoints} checkpoints while consuming`,
    );
  }
  const restoreRows = (
    [
      [big, 'z-score only'],
      [withDetector, 'with the default anomaly score'],
    ] as const
  ).flatMap(([r, what]) => [
    {
      step: `checkpoint ${fmt(r.built.keys)} keys (${what})`,
      ms: r.built.writeMs.toFixed(0),
      detail: `${fmt(r.built.checkpointBytes)} bytes (${mb(r.built.checkpointBytes)} MiB); snapshot() before it ${r.built.snapshotMs.toFixed(0)} ms; core key state ${mb(r.built.stateBytes)} MiB, wasm memory ${mb(r.built.wasmMemoryBytes)} MiB`,
    },
    {
      step: `incremental checkpoint, ${fmt(r.built.activeKeys)} of ${fmt(r.built.keys)} keys changed (${what})`,
      ms: r.built.incrementalMs.toFixed(0),
      detail: `${fmt(r.built.incrementalBytes)} bytes: ${(r.built.checkpointBytes / r.built.incrementalBytes).toFixed(1)}× less than the full checkpoint (target ≥ 50×); snapshot of changes + write`,
    },
    {
      step: `restore ${fmt(r.restored.keys)} keys (${what})`,
      ms: r.restored.totalMs.toFixed(0),
      detail: `new BatchEngine ${r.restored.engineMs.toFixed(0)} + latest() ${r.restored.latestMs.toFixed(0)} + restore() ${r.restored.restoreMs.toFixed(0)} ms; wasm memory after ${mb(r.restored.wasmMemoryBytes)} MiB (module compile at process start, not included: ${r.restored.compileMs.toFixed(0)} ms)`,
    },
  ]);
  console.table(restoreRows);
  console.log(
    `workload: ${fmt(EVENTS)} events, ${fmt(KEYS)} keys, ${PARTITIONS} partitions (partition = key mod ${PARTITIONS}), one event per key every ${STEP_MS / 1000} s of event time, ` +
      `uncompressed; consumers in child processes (one per run), best of ${RUNS}; events/s from the first batch delivered to the last event processed`,
  );
  console.log(
    JSON.stringify({
      bench: 'kafka',
      produce_events_per_s: Math.round(prodSingle.events / prodSingle.seconds),
      raw_events_per_s: Math.round(single.raw.eventsPerS),
      eddy_events_per_s: Math.round(single.eddy.eventsPerS),
      ratio: Number(ratio.toFixed(3)),
      raw_batched_events_per_s: Math.round(batched.raw.eventsPerS),
      eddy_batched_events_per_s: Math.round(batched.eddy.eventsPerS),
      ratio_batched: Number(ratioBatched.toFixed(3)),
      restore_1m_keys_ms: Number(big.restored.totalMs.toFixed(1)),
      checkpoint_1m_keys_bytes: big.built.checkpointBytes,
      full_checkpoint_bytes: big.built.checkpointBytes,
      incremental_checkpoint_bytes: big.built.incrementalBytes,
      incremental_ratio: Number((big.built.checkpointBytes / big.built.incrementalBytes).toFixed(1)),
      incremental_checkpoint_ms: Number(big.built.incrementalMs.toFixed(1)),
      produce_batched_events_per_s: Math.round(prodBatched.events / prodBatched.seconds),
      ratio_cpu: Number((single.eddy.eventsPerCpuS / single.raw.eventsPerCpuS).toFixed(3)),
      ratio_batched_cpu: Number((batched.eddy.eventsPerCpuS / batched.raw.eventsPerCpuS).toFixed(3)),
      checkpoint_1m_keys_write_ms: Number(big.built.writeMs.toFixed(1)),
      restore_detector_keys: RESTORE_DETECTOR_KEYS,
      restore_detector_ms: Number(withDetector.restored.totalMs.toFixed(1)),
      checkpoint_detector_bytes: withDetector.built.checkpointBytes,
      events: EVENTS,
      keys: KEYS,
      partitions: PARTITIONS,
      events_per_message_batched: PER_MESSAGE,
      restore_keys: RESTORE_KEYS,
    }),
  );
} catch (e) {
  exitCode = 1;
  console.error(e);
} finally {
  await cleanup();
}
process.exit(exitCode);
