/**
 * `eddy serve [--config pipeline.json] [--port 8080] [--host 127.0.0.1]
 * [--token T] [--cors-origin O]`: runs a pipeline behind the uWS server.
 *
 * With an `http`/`ws` source the server's /ingest endpoints feed the engine;
 * with any other source (the generator, a file) the engine reads it and the
 * server serves its live results, metrics and progress (/ingest answers 409).
 * Without --config: the embedded serve job (ingest → 5-minute windows sliding
 * by 1 minute, z-score and anomaly score, Holt forecasts, results kept in a
 * memory table and streamed on /live).
 *
 * SIGINT/SIGTERM: stop accepting, drain the queue through the engine, flush
 * sinks, close sockets, exit 0. Exit codes as `eddy run`.
 */
import { serveUntilSignal } from './serveUntilSignal.js';
import type { PipelineConfig, ServerSourceConfig } from '../config/pipelineConfig.js';
import { parsePipelineConfig } from '../config/pipelineConfig.js';
import { createSink, startPipeline } from '../config/buildPipeline.js';
import { StreamingQuery, type QueryEnvironment, type QuerySinks, type RunningQuery } from '../engine/query.js';
import { loadCore } from '../node/loadCore.js';
import { PushSource, DEFAULT_MAX_QUEUED_EVENTS } from '../sources/push.js';
import { LiveHub, DEFAULT_LIVE_LIMITS } from '../server/liveHub.js';
import { ServerMetrics } from '../server/serverMetrics.js';
import { EddyServer, DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../server/server.js';
import { DEFAULT_LIMITS } from '../server/ingestBody.js';
import { IngestScanner } from '../server/ingestScanner.js';
import { teeSink } from '../sinks/tee.js';
import { loadConfig } from './runCommand.js';
import { progressPrinter } from './progressPrinter.js';
import { UsageError } from './args.js';

/** The job `eddy serve` runs without --config. */
export const DEFAULT_SERVE_CONFIG = {
  name: 'eddy',
  source: { type: 'http' },
  grouping_columns: ['metric'],
  processing: {
    window_size: '5 minutes',
    slide_duration: '1 minute',
    watermark_delay: '1 minute',
    anomaly_threshold: 2.0,
    forecast: { alpha: 0.3, horizon: 10 },
  },
  sink: { type: 'memory', queryName: 'eddy', max_rows: 100_000 },
} as const;

/** Options of `eddy serve` (flags override the config's http source). */
export interface ServeOptions {
  configPath?: string;
  host?: string;
  port?: number;
  token?: string;
  corsOrigin?: string;
  progressMs: number;
  err: { write(chunk: string): unknown };
}

/** A running served pipeline (for tests and the CLI). */
export interface ServedHandle {
  server: EddyServer;
  query: RunningQuery;
  port: number;
  /** Graceful shutdown. */
  stop(): Promise<void>;
}

/** Starts the server for a config; resolves once it listens. */
export async function startServer(config: PipelineConfig, baseDir: string, opts: Omit<ServeOptions, 'configPath' | 'progressMs'> & { onProgress?: (p: import('../engine/progress.js').QueryProgress) => void }): Promise<ServedHandle> {
  const http = config.source.type === 'http' || config.source.type === 'ws' ? config.source.server : undefined;
  const settings: ServerSourceConfig = { ...(http ?? {}) };
  const options: ServerOptions = {
    ...DEFAULT_SERVER_OPTIONS,
    host: opts.host ?? settings.host ?? DEFAULT_SERVER_OPTIONS.host,
    port: opts.port ?? settings.port ?? DEFAULT_SERVER_OPTIONS.port,
    limits: {
      maxBodyBytes: settings.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxLineChars: settings.maxLineChars ?? DEFAULT_LIMITS.maxLineChars,
      maxRows: DEFAULT_LIMITS.maxRows,
    },
  };
  const token = opts.token ?? settings.token;
  if (token !== undefined) options.token = token;
  const corsOrigin = opts.corsOrigin ?? settings.corsOrigin;
  if (corsOrigin !== undefined) options.corsOrigin = corsOrigin;

  const push = http ? new PushSource(config.source.type, settings.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS) : undefined;
  // A server's shutdown is a stop: open windows are flushed only if asked (flush_on_stop).
  const plan: PipelineConfig = push ? { ...config, flushAtEnd: config.flushOnStop } : config;

  let query: RunningQuery | undefined;
  const metrics = new ServerMetrics({
    queuedEvents: () => push?.queuedEvents ?? 0,
    keys: () => query?.lastProgress?.numKeys ?? 0,
    wasmMemoryBytes: () => query?.wasmMemoryBytes() ?? 0,
    subscribers: () => hub.size,
  });
  const hub = new LiveHub(plan.keyColumns, DEFAULT_LIVE_LIMITS, () => metrics.droppedResults.inc());
  const live = hub.sinks();
  const sinks: QuerySinks = {
    results: teeSink(createSink(plan.sink, { baseDir }), live.results),
    late: plan.lateSink ? teeSink(createSink(plan.lateSink, { baseDir }), live.late) : live.late,
  };
  if (plan.deadLetter) sinks.deadLetter = createSink(plan.deadLetter, { baseDir });
  if ((plan.sequences?.length ?? 0) > 0) sinks.matches = plan.matchesSink ? teeSink(createSink(plan.matchesSink, { baseDir }), live.matches) : live.matches;

  const env: QueryEnvironment = {
    createCore: () => loadCore(),
    log: (line) => opts.err.write(`eddy: ${line}\n`),
    onProgress: (p) => {
      metrics.observe(p, plan.kind !== 'events');
      opts.onProgress?.(p);
    },
    onRejected: (errors) => { for (const e of errors) metrics.rejectedEvents.inc(1, { reason: e.kind ?? 'malformed' }); },
    onBatchWritten: () => hub.flush(),
  };
  query = push ? new StreamingQuery(plan, push, sinks, env) : startPipeline(plan, env, { baseDir }, sinks);
  const server = new EddyServer({ plan, query, ...(push ? { push, scanner: new IngestScanner(plan, loadCore()) } : {}), hub, metrics }, options);
  let port: number;
  try {
    port = await server.start();
  } catch (e) {
    await query.stop();
    throw e;
  }
  return { server, query, port, stop: () => server.stop() };
}

/** Runs `eddy serve` until a signal; resolves with the exit code. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const { config, baseDir } = opts.configPath === undefined
    ? { config: parsePipelineConfig(DEFAULT_SERVE_CONFIG), baseDir: process.cwd() }
    : loadConfig(opts.configPath);
  for (const w of config.warnings) opts.err.write(`eddy: warning: ${w}\n`);
  const progress = progressPrinter(opts.err, opts.progressMs);
  let handle: ServedHandle;
  try {
    handle = await startServer(config, baseDir, { ...opts, onProgress: progress.onProgress });
  } catch (e) {
    progress.stop();
    throw new UsageError((e as Error).message);
  }
  const host = opts.host ?? (config.source.type === 'http' || config.source.type === 'ws' ? config.source.server.host : undefined) ?? DEFAULT_SERVER_OPTIONS.host;
  const base = `${host}:${handle.port}`;
  opts.err.write(`eddy: serving ${config.name} on http://${base} — POST /ingest, ws://${base}/ingest, ws://${base}/live, GET /metrics /progress /health /ready\n`);

  return serveUntilSignal(handle, progress, { err: opts.err, stoppingMessage: 'stopping: no new events, draining the queue, flushing sinks…' });
}
