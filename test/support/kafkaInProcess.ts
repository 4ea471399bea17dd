/**
 * A Kafka pipeline started in this process with `startPipeline`, its results
 * collected in memory (the config's other sinks, such as a Kafka dead-letter
 * topic, are built as configured), every progress record and log line kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineConfig, type PipelineConfig } from '../../src/config/pipelineConfig.js';
import { createSinks, startPipeline } from '../../src/config/buildPipeline.js';
import { loadCore } from '../../src/node/loadCore.js';
import type { RunningQuery } from '../../src/engine/query.js';
import type { QueryProgress } from '../../src/engine/progress.js';
import type { ResultRecord, Sink } from '../../src/engine/sink.js';
import type { InputError } from '../../src/engine/inputError.js';
import { waitFor } from './kafkaHarness.js';

/** A running in-process Kafka query and what it produced so far. */
export interface InProcessQuery {
  query: RunningQuery;
  config: PipelineConfig;
  /** Result records (windows), in emission order. */
  results: ResultRecord[];
  progress: QueryProgress[];
  rejected: InputError[];
  logs: string[];
  /** Rows (valid or not) the query has taken in so far, over all progress records. */
  inputRows(): number;
  /** Waits until at least `rows` input rows were taken in. */
  waitForRows(rows: number, timeoutMs?: number): Promise<void>;
}

/** A sink that keeps records in an array. */
function collectingSink(into: ResultRecord[]): Sink {
  return {
    description: 'memory:test',
    open() {},
    write(records) {
      into.push(...records);
    },
    flush() {},
    close() {},
  };
}

/** Starts a pipeline config document whose source is Kafka; results go to memory. */
export function startKafkaQuery(doc: Record<string, unknown>, baseDir?: string): InProcessQuery {
  const config = parsePipelineConfig(doc);
  const dir = baseDir ?? tmpdir();
  const results: ResultRecord[] = [];
  const progress: QueryProgress[] = [];
  const rejected: InputError[] = [];
  const logs: string[] = [];
  const sinks = { ...createSinks(config, { baseDir: dir }), results: collectingSink(results) };
  const query = startPipeline(
    config,
    {
      createCore: () => loadCore(),
      log: (line) => logs.push(line),
      onProgress: (p) => progress.push(p),
      onRejected: (errors) => rejected.push(...errors),
    },
    { baseDir: dir },
    sinks,
  );
  const inputRows = (): number => progress.reduce((n, p) => n + p.numInputRows, 0);
  return {
    query,
    config,
    results,
    progress,
    rejected,
    logs,
    inputRows,
    async waitForRows(rows, timeoutMs = 30_000) {
      await waitFor(
        `${rows} input rows (have ${inputRows()}; logs: ${logs.join(' | ')})`,
        () => {
          if (query.exception) throw query.exception;
          return inputRows() >= rows;
        },
        timeoutMs,
        50,
      );
    },
  };
}

/** A temporary directory (for checkpoints), removed by `cleanup()`. */
export function tempDir(prefix = 'eddy-kafka-'): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Window results keyed `metric|windowStart` → record, failing on a repeated key (append mode emits each window once). */
export function windowsByKey(results: ResultRecord[], keyColumn = 'metric'): Map<string, ResultRecord> {
  const out = new Map<string, ResultRecord>();
  for (const r of results) {
    const w = r.window as { start: string };
    const k = `${String(r[keyColumn])}|${w.start}`;
    if (out.has(k)) throw new Error(`window ${k} emitted twice`);
    out.set(k, r);
  }
  return out;
}

/** Expected per-window count and sum from events: `key|windowStartIso` → { count, sum }. */
export function expectedWindows(events: { key: string; timestamp: number; value: number }[], sizeMs = 60_000): Map<string, { count: number; sum: number }> {
  const out = new Map<string, { count: number; sum: number }>();
  for (const e of events) {
    const start = new Date(Math.floor(e.timestamp / sizeMs) * sizeMs).toISOString();
    const k = `${e.key}|${start}`;
    const w = out.get(k) ?? { count: 0, sum: 0 };
    w.count++;
    w.sum += e.value;
    out.set(k, w);
  }
  return out;
}
