/**
 * Starts a pipeline behind eddy's uWebSockets.js server: with an `http`/`ws`
 * source the server's /ingest endpoints feed the engine; with any other
 * source (the generator, a file) the engine reads it and the server serves
 * its live results, metrics and progress (/ingest answers 409). Used by
 * `eddy serve`, `eddy demo` and library users (`eddy/server`).
 */
import type { PipelineConfig, ServerSourceConfig } from '../config/pipelineConfig.js';
import { createSink, startPipeline } from '../config/buildPipeline.js';
import { StreamingQuery, type QueryEnvironment, type QuerySinks, type RunningQuery } from '../engine/query.js';
import type { QueryProgress } from '../engine/progress.js';
import { loadCore } from '../node/loadCore.js';
import { PushSource, DEFAULT_MAX_QUEUED_EVENTS } from '../sources/push.js';
import { teeSink } from '../sinks/tee.js';
import { LiveHub, DEFAULT_LIVE_LIMITS } from './liveHub.js';
import { ServerMetrics } from './serverMetrics.js';
import { EddyServer, DEFAULT_SERVER_OPTIONS, type ServerOptions } from './server.js';
import { DEFAULT_LIMITS } from './ingestBody.js';
import { IngestScanner } from './ingestScanner.js';

/** How to serve (each overrides the config's http source settings). */
export interface StartServerOptions {
  host?: string;
  port?: number;
  token?: string;
  corsOrigin?: string;
  /** Where the query's log lines go. */
  err: { write(chunk: string): unknown };
  onProgress?: (p: QueryProgress) => void;
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
export async function startServer(config: PipelineConfig, baseDir: string, opts: StartServerOptions): Promise<ServedHandle> {
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
    onRejected: (errors) => {
      for (const e of errors) metrics.rejectedEvents.inc(1, { reason: e.kind ?? 'malformed' });
    },
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
