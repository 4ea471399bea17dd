/**
 * Turns a validated pipeline config into a running query: the same
 * StreamingQuery the fluent API starts, from the same kind of plan.
 */
import { isAbsolute, resolve } from 'node:path';
import type { PipelineConfig, SinkConfig, SourceConfig } from './pipelineConfig.js';
import type { Source } from '../engine/source.js';
import type { Sink } from '../engine/sink.js';
import { fileSource } from '../sources/file.js';
import { stdinSource } from '../sources/stdin.js';
import { generatorSource } from '../sources/generator.js';
import { consoleSink } from '../sinks/console.js';
import { fileSink } from '../sinks/file.js';
import { memorySink } from '../sinks/memory.js';
import { kafkaSink } from '../kafka/kafkaSink.js';
import { UsageError } from './usageError.js';
import { StreamingQuery, type QueryEnvironment, type QuerySinks, type RunningQuery } from '../engine/query.js';
import { KafkaSource } from '../kafka/kafkaSource.js';
import { CheckpointStore } from '../checkpoint/checkpointStore.js';

/** Where relative paths in a config resolve from (the config file's folder), and optional overrides. */
export interface BuildOptions {
  baseDir: string;
  /** Replaces stdout for the console sink (tests); its `isTTY` and `columns` choose the format and width as stdout's do. */
  stdout?: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  /** Replaces stdin for the stdin source (tests). */
  stdin?: NodeJS.ReadableStream;
}

function path(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Creates the source a config describes. */
export function createSource(config: SourceConfig, opts: BuildOptions): Source {
  switch (config.type) {
    case 'file':
      return fileSource(path(opts.baseDir, config.path), {
        ...(config.format ? { format: config.format } : {}),
        ...(config.speed !== undefined ? { speed: config.speed } : {}),
      });
    case 'stdin':
      return stdinSource(opts.stdin ? { input: opts.stdin as never } : {});
    case 'generator':
      return generatorSource(config.options);
    case 'http':
    case 'ws':
      throw new UsageError(`source type '${config.type}' takes events over the network: run it with eddy serve`);
    case 'kafka':
      throw new UsageError('a Kafka source runs one engine per partition: start it with startPipeline');
  }
}

/** Creates the sink a config describes. */
export function createSink(config: SinkConfig, opts: BuildOptions): Sink {
  switch (config.type) {
    case 'console':
      // the CLI's flag names the note about hidden columns: config-built sinks run under eddy run/serve/demo
      return consoleSink({
        ...(opts.stdout ? { out: opts.stdout as never } : {}),
        ...(config.format ? { format: config.format } : {}),
        ...(config.wide !== undefined ? { wide: config.wide } : {}),
        wideHint: '--wide',
      });
    case 'file':
      return fileSink(path(opts.baseDir, config.path), {
        ...(config.format ? { format: config.format } : {}),
        ...(config.append !== undefined ? { append: config.append } : {}),
      });
    case 'memory':
      return memorySink(config.queryName, config.maxRows !== undefined ? { maxRows: config.maxRows } : {});
    case 'kafka':
      return kafkaSink({ brokers: config.brokers, topic: config.topic, clientId: config.clientId, ...(config.security ? { security: config.security } : {}) });
  }
}

/**
 * The sinks a config describes. With checkpoints a run may be the
 * continuation of the one before, so a file sink whose `append` is not set
 * appends: replacing the file would throw away what the earlier run wrote
 * and the restored state will not emit again.
 */
export function createSinks(config: PipelineConfig, opts: BuildOptions): QuerySinks {
  const make = (sink: SinkConfig): Sink =>
    createSink(config.checkpoint !== undefined && sink.type === 'file' && sink.append === undefined ? { ...sink, append: true } : sink, opts);
  const sinks: QuerySinks = { results: make(config.sink) };
  if (config.lateSink) sinks.late = make(config.lateSink);
  if (config.deadLetter) sinks.deadLetter = make(config.deadLetter);
  if (config.matchesSink) sinks.matches = make(config.matchesSink);
  return sinks;
}

/** Starts the query a config describes (a config is a validated query plan plus its source and sinks), with the config's checkpoints; a Kafka source runs one task per partition. */
export function startPipeline(config: PipelineConfig, env: QueryEnvironment, opts: BuildOptions, sinks: QuerySinks = createSinks(config, opts)): RunningQuery {
  const source = config.source.type === 'kafka' ? new KafkaSource(config.source.kafka, config.batchSize) : createSource(config.source, opts);
  return new StreamingQuery(config, source, sinks, withCheckpoints(config, env, opts));
}

/** The environment with the config's checkpoint store and policy (a directory of checkpoint files), when it has one. */
function withCheckpoints(config: PipelineConfig, env: QueryEnvironment, opts: BuildOptions): QueryEnvironment {
  const c = config.checkpoint;
  if (!c) return env;
  const log = env.log ?? ((line: string) => console.error(`eddy: ${line}`));
  const stateStore = new CheckpointStore(path(opts.baseDir, c.location), {
    keep: c.keep,
    onCorrupt: (file, reason) => log(`checkpoint ${file} is unusable (${reason}); using the one before`),
  });
  return { ...env, stateStore, checkpointPolicy: { intervalMs: c.intervalMs, everyBatches: c.everyBatches } };
}
