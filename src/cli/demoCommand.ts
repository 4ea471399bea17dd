/**
 * `eddy demo` (what `npm start` runs): the embedded demo pipeline behind the
 * server, with the live dashboard at http://127.0.0.1:<port>/.
 *
 * The pipeline (src/config/builtin/demo.json) is the console demo of `eddy
 * run` (src/config/builtin/run.json: synthetic metrics, 5-minute windows
 * sliding by 1 minute, results printed as windows close, progress lines on
 * stderr) plus what the dashboard shows: the seed's z-score anomaly rule
 * (`anomaly_threshold` 2) and default score, Holt forecasts 10 slides ahead,
 * and the seed's threshold patterns. Spikes are rarer and larger than in
 * `eddy run`'s demo so that single ones stand out of 5-minute averages.
 *
 * Port: --port, else 8080 or the next free one (up to 8099), so a second
 * demo (or a forgotten one) does not stop `npm start` from starting.
 * Results print as a table fitted to the terminal (NDJSON when stdout is not
 * one; --wide, --format: docs/console-output.md). Ctrl-C, SIGTERM or a
 * closed stdout (`eddy demo | head`) stop it (src/cli/processLife.ts); open
 * windows are dropped unless --flush-on-stop, as `eddy run`.
 */
import net from 'node:net';
import type { PipelineDocument } from '../config/pipelineConfig.js';
import { loadBuiltinConfig } from '../config/loadConfig.js';
import { startServer, type ServedHandle } from '../server/startServer.js';
import { ListenError } from '../server/listenError.js';
import { progressPrinter } from './progressPrinter.js';
import { UsageError } from '../config/usageError.js';
import { serveUntilSignal } from './serveUntilSignal.js';
import { applyConsoleFlags, type ConsoleFlags } from './consoleOptions.js';

/** The demo's pipeline config: the document of src/config/builtin/demo.json (validated). */
export const DEMO_CONFIG: PipelineDocument = loadBuiltinConfig('demo', {}).document;

/** First port tried when none is given. */
export const DEMO_FIRST_PORT = 8080;
/** Last port tried when none is given. */
export const DEMO_LAST_PORT = 8099;

/** Options of `eddy demo`. */
export interface DemoOptions {
  host?: string;
  port?: number;
  /** Emit the open windows on Ctrl-C (default: dropped, as `eddy run`). */
  flushOnStop?: boolean;
  /** Progress line interval; 0 turns it off. */
  progressMs: number;
  /** `--wide` / `--format` for the demo's console table. */
  console?: ConsoleFlags;
  err: { write(chunk: string): unknown };
}

/** True when host:port can be bound now. */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Runs the demo until a signal (or a closed stdout); resolves with the exit code. */
export async function demoCommand(opts: DemoOptions): Promise<number> {
  const host = opts.host ?? '127.0.0.1';
  const { config } = loadBuiltinConfig('demo');
  if (opts.flushOnStop) config.flushOnStop = true;
  for (const w of config.warnings) opts.err.write(`eddy: warning: ${w}\n`);
  applyConsoleFlags(config, opts.console ?? {}, opts.err);
  const progress = progressPrinter(opts.err, opts.progressMs);
  const candidates = opts.port !== undefined ? [opts.port] : Array.from({ length: DEMO_LAST_PORT - DEMO_FIRST_PORT + 1 }, (_, i) => DEMO_FIRST_PORT + i);
  let handle: ServedHandle | undefined;
  let lastError: Error | undefined;
  for (const port of candidates) {
    if (opts.port === undefined && !(await portFree(host, port))) continue;
    try {
      handle = await startServer(config, process.cwd(), { host, port, err: opts.err, onProgress: progress.onProgress });
      break;
    } catch (e) {
      lastError = e as Error;
    }
  }
  if (!handle) {
    progress.stop();
    // a taken port is a runtime failure (exit 1), as is finding none free; a config startServer refuses is usage (exit 2)
    if (lastError === undefined || lastError instanceof ListenError)
      throw lastError ?? new ListenError(`no free port from ${DEMO_FIRST_PORT} to ${DEMO_LAST_PORT} on ${host}; pass --port`);
    throw new UsageError(lastError.message);
  }
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  opts.err.write(`eddy: dashboard at http://${shown}:${handle.port}/\n`);
  opts.err.write(`eddy: also ws://${shown}:${handle.port}/live, GET /progress /metrics; Ctrl-C stops\n`);

  return serveUntilSignal(handle, progress, { err: opts.err, stoppingMessage: 'stopping…' });
}
