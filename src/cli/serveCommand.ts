/**
 * `eddy serve [--config pipeline.json] [--port 8080] [--host 127.0.0.1]
 * [--token T] [--cors-origin O]`: runs a pipeline behind the uWS server.
 *
 * With an `http`/`ws` source the server's /ingest endpoints feed the engine;
 * with any other source (the generator, a file) the engine reads it and the
 * server serves its live results, metrics and progress (/ingest answers 409).
 * Without --config: the embedded serve job (src/config/builtin/serve.json:
 * ingest → 5-minute windows sliding by 1 minute, z-score and anomaly score,
 * Holt forecasts, results kept in a memory table and streamed on /live).
 *
 * SIGINT/SIGTERM (or a closed stdout, src/cli/processLife.ts): stop
 * accepting, drain the queue through the engine, flush sinks, close
 * sockets, exit 0. Exit codes as `eddy run`.
 */
import { serveUntilSignal } from './serveUntilSignal.js';
import { loadBuiltinConfig } from '../config/loadConfig.js';
import { startServer, type ServedHandle, type StartServerOptions } from '../server/startServer.js';
import { DEFAULT_SERVER_OPTIONS } from '../server/server.js';
import { ListenError } from '../server/listenError.js';
import { loadConfig } from './runCommand.js';
import { progressPrinter } from './progressPrinter.js';
import { UsageError } from '../config/usageError.js';
import { applyConsoleFlags, type ConsoleFlags } from './consoleOptions.js';

/** Options of `eddy serve` (flags override the config's http source). */
export interface ServeOptions extends Omit<StartServerOptions, 'onProgress'> {
  configPath?: string;
  progressMs: number;
  /** `--wide` / `--format` for the pipeline's console sinks, if it has any. */
  console?: ConsoleFlags;
}

/** Runs `eddy serve` until a signal; resolves with the exit code. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const { config, baseDir } = opts.configPath === undefined ? loadBuiltinConfig('serve') : loadConfig(opts.configPath);
  for (const w of config.warnings) opts.err.write(`eddy: warning: ${w}\n`);
  applyConsoleFlags(config, opts.console ?? {}, opts.err);
  const progress = progressPrinter(opts.err, opts.progressMs);
  let handle: ServedHandle;
  try {
    handle = await startServer(config, baseDir, { ...opts, onProgress: progress.onProgress });
  } catch (e) {
    progress.stop();
    // a taken port is a runtime failure (exit 1); anything else startServer refuses is the config's (exit 2)
    if (e instanceof ListenError) throw e;
    throw new UsageError((e as Error).message);
  }
  const host =
    opts.host ?? (config.source.type === 'http' || config.source.type === 'ws' ? config.source.server.host : undefined) ?? DEFAULT_SERVER_OPTIONS.host;
  const base = `${host}:${handle.port}`;
  opts.err.write(
    `eddy: serving ${config.name} on http://${base} — POST /ingest, ws://${base}/ingest, ws://${base}/live, GET /metrics /progress /health /ready\n`,
  );

  return serveUntilSignal(handle, progress, { err: opts.err, stoppingMessage: 'stopping: no new events, draining the queue, flushing sinks…' });
}
