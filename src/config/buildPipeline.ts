/**
 * Turns a validated pipeline config into a running query: the same engine
 * path as the fluent API (eddy.stream(...).groupBy(...).agg(...).writeStream(...)).
 */
import { isAbsolute, resolve } from 'node:path';
import type { PipelineConfig, SinkConfig, SourceConfig } from './pipelineConfig.js';
import type { Source } from '../sources/source.js';
import type { Sink } from '../sinks/sink.js';
import { fileSource } from '../sources/file.js';
import { stdinSource } from '../sources/stdin.js';
import { generatorSource } from '../sources/generator.js';
import { consoleSink } from '../sinks/console.js';
import { fileSink } from '../sinks/file.js';
import { memorySink } from '../sinks/memory.js';
import { createEddy } from '../engine/api.js';
import { window } from '../engine/windowColumn.js';
import type { StreamingQuery, QueryEnvironment } from '../engine/query.js';

/** Where relative paths in a config resolve from (the config file's folder), and optional overrides. */
export interface BuildOptions {
  baseDir: string;
  /** Replaces stdout for the console sink (tests). */
  stdout?: { write(chunk: string): unknown };
  /** Replaces stdin for the stdin source (tests). */
  stdin?: NodeJS.ReadableStream;
}

function path(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Creates the source a config describes. */
export function createSource(config: SourceConfig, opts: BuildOptions, timeColumn: string): Source {
  switch (config.type) {
    case 'file':
      return fileSource(path(opts.baseDir, config.path), {
        ...(config.format ? { format: config.format } : {}),
        ...(config.speed !== undefined ? { speed: config.speed, timestampField: timeColumn } : {}),
      });
    case 'stdin':
      return stdinSource(opts.stdin ? { input: opts.stdin as never } : {});
    case 'generator':
      return generatorSource(config.options);
  }
}

/** Creates the sink a config describes. */
export function createSink(config: SinkConfig, opts: BuildOptions): Sink {
  switch (config.type) {
    case 'console':
      return consoleSink(opts.stdout ? { out: opts.stdout as never } : {});
    case 'file':
      return fileSink(path(opts.baseDir, config.path), {
        ...(config.format ? { format: config.format } : {}),
        ...(config.append !== undefined ? { append: config.append } : {}),
      });
    case 'memory':
      return memorySink(config.queryName, config.maxRows !== undefined ? { maxRows: config.maxRows } : {});
  }
}

/** Starts the query a config describes. */
export function startPipeline(config: PipelineConfig, env: QueryEnvironment, opts: BuildOptions): StreamingQuery {
  const eddy = createEddy(env);
  let writer = eddy
    .stream(createSource(config.source, opts, config.timeColumn))
    .withWatermark(config.timeColumn, config.delayMs, { allowedLateness: config.latenessMs })
    .groupBy(window(config.timeColumn, config.sizeMs, config.slideMs), ...config.keyColumns)
    .agg(...config.aggregates)
    .writeStream(createSink(config.sink, opts))
    .outputMode(config.outputMode)
    .queryName(config.name)
    .option('batchSize', config.batchSize)
    .option('flushOnStop', config.flushOnStop)
    .option('flushAtEnd', config.flushAtEnd);
  if (config.lateSink) writer = writer.lateEvents(createSink(config.lateSink, opts));
  if (config.deadLetter) writer = writer.deadLetter(createSink(config.deadLetter, opts));
  return writer.start();
}
