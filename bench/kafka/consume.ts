/**
 * Child process of `npm run bench:kafka`: consumes a whole topic from the
 * earliest offset, either
 *  - `raw`:  a kafkajs consumer whose eachBatch does nothing but JSON.parse
 *            each message value (each line of an NDJSON value), or
 *  - `eddy`: eddy's full Kafka pipeline, started with startPipeline from a
 *            parsed config (see config.ts), into counting sinks;
 * and prints one JSON line with the timings and what it saw.
 *
 * Both use the same consumer settings (eddy's: session 30 s, heartbeat 3 s,
 * 4 MiB per partition per fetch, one partition's batch at a time, no
 * auto-commit) and the same clock: from the first batch delivered to the
 * moment the last event is processed (group join and connection set-up are
 * reported apart, as `joinSeconds`).
 */
import type { EachBatchPayload } from 'kafkajs';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { kafkaClient } from '../../src/kafka/kafkaClient.js';
import { startPipeline } from '../../src/config/buildPipeline.js';
import { loadCore } from '../../src/node/loadCore.js';
import { callbackSink } from '../../src/sinks/callback.js';
import { CheckpointStore } from '../../src/checkpoint/checkpointStore.js';
import type { QueryProgress } from '../../src/engine/progress.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { benchConfig } from './config.js';
import { childSpec, cpuSecondsSince } from './child.js';
import type { Expected } from './workload.js';

export interface ConsumeSpec {
  mode: 'raw' | 'eddy';
  broker: string;
  topic: string;
  groupId: string;
  perMessage: number;
  expected: Expected;
  /** eddy: the checkpoint directory. */
  checkpointDir?: string;
  timeoutMs: number;
  /** Write a V8 CPU profile of the timed region (first batch → last event) to this .cpuprofile file. */
  profileFile?: string;
}

export interface ConsumeResult {
  mode: 'raw' | 'eddy';
  perMessage: number;
  events: number;
  /** First batch delivered → last event processed. */
  seconds: number;
  /** Start of the child's work → first batch (connect, join, first fetch). */
  joinSeconds: number;
  /** CPU (user + system) of this process over `seconds`. */
  cpuSeconds: number;
  eventsPerS: number;
  eventsPerCpuS: number;
  valueSum: number;
  eddy?: EddyDetails;
}

export interface EddyDetails {
  windows: number;
  /** Σ count over window results: each event is in size/slide = 5 windows. */
  windowMemberships: number;
  /** Σ avg_value·count over window results (≈ 5 × Σ value). */
  weightedValueSum: number;
  anomalies: number;
  forecasts: number;
  thresholdHits: number;
  matches: number;
  lateRows: number;
  errors: number;
  batches: number;
  /** Σ of the progress durations (ms): encode (validate + fill columns), process (the core call), write (records + sinks). */
  engineMs: { encode: number; process: number; write: number };
  /** Checkpoints written while consuming (the final one on stop not included). */
  checkpoints: number;
}

const now = (): number => performance.now();
const spec = childSpec<ConsumeSpec>();
const started = now();

// CPU profile of the timed region only (not connect/join, not the stop)
let session: Session | undefined;
function startProfile(): void {
  if (!spec.profileFile) return;
  session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
}
function stopProfile(): Promise<void> {
  const s = session;
  if (!s || !spec.profileFile) return Promise.resolve();
  return new Promise((resolve, reject) => {
    s.post('Profiler.stop', (err, result) => {
      if (err) reject(err);
      else {
        writeFileSync(spec.profileFile!, JSON.stringify(result.profile));
        s.disconnect();
        resolve();
      }
    });
  });
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

async function raw(): Promise<ConsumeResult> {
  const N = spec.expected.events;
  const client = await kafkaClient([spec.broker], 'eddy-bench-raw', (line) => console.error(line));
  // eddy's consumer settings (src/kafka/kafkaSource.ts)
  const consumer = client.consumer({ groupId: spec.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 << 20 });
  let first = -1,
    end = -1,
    seen = 0,
    sum = 0;
  let cpu0 = process.cpuUsage(),
    cpu = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const perMessage = spec.perMessage;
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
      if (first < 0) {
        startProfile();
        first = now();
        cpu0 = process.cpuUsage();
      }
      for (const m of batch.messages) {
        if (m.value === null) continue;
        const text = m.value.toString('utf8');
        if (perMessage === 1) {
          sum += (JSON.parse(text) as { value: number }).value;
          seen++;
        } else {
          for (const line of text.split('\n')) {
            sum += (JSON.parse(line) as { value: number }).value;
            seen++;
          }
        }
      }
      if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
      await heartbeat();
      if (seen >= N && end < 0) {
        end = now();
        cpu = cpuSecondsSince(cpu0);
        finish();
      }
    },
  });
  await timeout(finished, spec.timeoutMs, `raw consumer: ${seen} of ${N} events`);
  await stopProfile();
  await consumer.disconnect();
  const seconds = (end - first) / 1000;
  return {
    mode: 'raw',
    perMessage,
    events: seen,
    seconds,
    joinSeconds: (first - started) / 1000,
    cpuSeconds: cpu,
    eventsPerS: seen / seconds,
    eventsPerCpuS: seen / cpu,
    valueSum: sum,
  };
}

async function eddy(): Promise<ConsumeResult> {
  const N = spec.expected.events;
  const dir = spec.checkpointDir!;
  const config = benchConfig({ broker: spec.broker, topic: spec.topic, groupId: spec.groupId }, dir);
  loadCore(); // compiles the wasm module once (process start-up, as in any eddy process), outside the timed region
  const d: EddyDetails = {
    windows: 0,
    windowMemberships: 0,
    weightedValueSum: 0,
    anomalies: 0,
    forecasts: 0,
    thresholdHits: 0,
    matches: 0,
    lateRows: 0,
    errors: 0,
    batches: 0,
    engineMs: { encode: 0, process: 0, write: 0 },
    checkpoints: 0,
  };
  const countWindows = (records: ResultRecord[]): void => {
    for (const r of records) {
      const count = r.count as number;
      d.windows++;
      d.windowMemberships += count;
      d.weightedValueSum += (r.avg_value as number) * count;
      if (r.is_anomaly === true) d.anomalies++;
      if (r.forecast !== null && r.forecast !== undefined) d.forecasts++;
      if (Array.isArray(r.detected_patterns) && r.detected_patterns.length > 0) d.thresholdHits++;
    }
  };
  const sinks = {
    results: callbackSink(countWindows, { description: 'counting' }),
    matches: callbackSink(
      (records) => {
        d.matches += records.length;
      },
      { description: 'counting' },
    ),
  };
  let first = -1,
    end = -1,
    cpu0 = process.cpuUsage(),
    cpu = 0;
  let last: QueryProgress | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const query = startPipeline(
    config,
    {
      createCore: () => {
        // called when a partition's first batch arrives: the clock starts with the first one
        if (first < 0) {
          startProfile();
          first = now();
          cpu0 = process.cpuUsage();
        }
        return loadCore();
      },
      log: (line) => console.error(line),
      onProgress: (p) => {
        last = p;
        if (end >= 0) return;
        d.batches++;
        d.engineMs.encode += p.durationMs.encode;
        d.engineMs.process += p.durationMs.process;
        d.engineMs.write += p.durationMs.write;
        if (p.totals.inputRows >= N) {
          end = now();
          cpu = cpuSecondsSince(cpu0);
          finish();
        }
      },
    },
    { baseDir: process.cwd() },
    sinks,
  );
  await timeout(
    Promise.race([
      finished,
      query.awaitTermination().then(() => {
        throw new Error('the query ended before consuming every event');
      }),
    ]),
    spec.timeoutMs,
    `eddy: ${(last as QueryProgress | null)?.totals.inputRows ?? 0} of ${N} events`,
  );
  await stopProfile();
  const store = new CheckpointStore(dir);
  for (const scope of await store.scopes()) d.checkpoints += Math.max(0, ...(await store.list(scope)).map((e) => e.seq));
  await query.stop();
  if (query.exception) throw query.exception;
  const totals = (last as QueryProgress | null)?.totals;
  d.lateRows = totals?.lateRows ?? 0;
  d.errors = totals?.errors ?? 0;
  const seconds = (end - first) / 1000;
  const events = totals?.inputRows ?? 0;
  return {
    mode: 'eddy',
    perMessage: spec.perMessage,
    events,
    seconds,
    joinSeconds: (first - started) / 1000,
    cpuSeconds: cpu,
    eventsPerS: events / seconds,
    eventsPerCpuS: events / cpu,
    valueSum: d.weightedValueSum / 5,
    eddy: d,
  };
}

const result = spec.mode === 'raw' ? await raw() : await eddy();
console.log(JSON.stringify(result));
process.exit(0);
