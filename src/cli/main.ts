#!/usr/bin/env node
/**
 * The `eddy` command line.
 *
 *   eddy run [--config pipeline.json] [--flush-on-stop] [--progress 5s]
 *   eddy demo [--port 8080] [--host 127.0.0.1] [--flush-on-stop] [--progress 5s]   (npm start)
 *   eddy detect <input.csv | dir> [--output out.csv | dir]
 *   eddy serve [--config pipeline.json] [--port 8080] …
 *   eddy config | help | --help | --version
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import { UsageError } from '../config/usageError.js';
import { ListenError } from '../server/listenError.js';
import { ConfigError } from '../config/configError.js';
import { progressInterval, runCommand } from './runCommand.js';
import { DEFAULT_CONFIG } from './defaultConfig.js';
import { detectCommand } from './detectCommand.js';
import { serveCommand } from './serveCommand.js';
import { demoCommand } from './demoCommand.js';

const USAGE = `eddy — real-time analytics on event streams

usage:
  eddy run [--config pipeline.json] [--flush-on-stop] [--progress 5s]
      Runs a pipeline (the embedded demo without --config) until its source
      ends or Ctrl-C. Windows go to the sink; progress lines to stderr.
      --flush-on-stop   emit open windows on Ctrl-C (default: they are dropped)
      --progress D      progress line interval (default 5s; 0 = off)
  eddy demo [--port 8080] [--host 127.0.0.1] [--flush-on-stop] [--progress 5s]
      What npm start runs: the embedded demo job (synthetic metrics, no Kafka,
      no files) behind the server, with anomalies, forecasts and thresholds.
      Prints the live dashboard's URL, then windows and progress as eddy run.
      Without --port: 8080, or the next free port up to 8099.
  eddy detect <input.csv | dir> [--output out.csv | dir]
      Scores a CSV of timestamp,value with the default anomaly detector and
      writes timestamp,value,anomaly_score (stdout without --output); a
      directory is mirrored into the --output directory.
  eddy serve [--config pipeline.json] [--port 8080] [--host 127.0.0.1] [--token T] [--cors-origin O]
      Runs a pipeline behind the HTTP/WebSocket server: POST /ingest, ws /ingest,
      ws /live, GET /metrics /progress /health /ready (see README).
  eddy config           prints the embedded default config (a starting point)
  eddy help             this text
  eddy --version

exit codes: 0 ok · 1 the query failed or could not start (e.g. its port is in use) · 2 bad usage or config`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Ends the process once stdout and stderr have taken everything written.
 * `eddy serve` and `eddy demo` call it after their server stopped (sinks
 * flushed, sockets told to close): a browser's keep-alive connection that
 * keeps polling (the dashboard's /progress) would otherwise keep the process
 * alive, and uWS cannot list idle HTTP connections to close them.
 */
async function exitWhenWritten(code: number): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) await new Promise<void>((resolve) => stream.write('', () => resolve()));
  process.exit(code);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['config', 'progress', 'output', 'port', 'host', 'token', 'cors-origin'], ['flush-on-stop', 'help', 'version']);
  if (args.flags.has('version')) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (args.flags.has('help') || args.command === 'help' || args.command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return args.command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  switch (args.command) {
    case 'run': {
      if (args.positional.length > 0) throw new UsageError(`run takes no arguments besides options, got ${args.positional.join(' ')}`);
      const config = args.flags.get('config');
      return runCommand({
        ...(typeof config === 'string' ? { configPath: config } : {}),
        flushOnStop: args.flags.has('flush-on-stop'),
        progressMs: progressInterval(args.flags.get('progress')),
        err: process.stderr,
      });
    }
    case 'demo': {
      if (args.positional.length > 0) throw new UsageError(`demo takes no arguments besides options, got ${args.positional.join(' ')}`);
      const str = (name: string): string | undefined => { const v = args.flags.get(name); return typeof v === 'string' ? v : undefined; };
      const port = str('port');
      if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--port: expected a number from 0 to 65535, got ${port}`);
      return exitWhenWritten(await demoCommand({
        ...(port !== undefined ? { port: Number(port) } : {}),
        ...(str('host') !== undefined ? { host: str('host')! } : {}),
        flushOnStop: args.flags.has('flush-on-stop'),
        progressMs: progressInterval(args.flags.get('progress')),
        err: process.stderr,
      }));
    }
    case 'detect': {
      if (args.positional.length !== 1) throw new UsageError('detect takes one input file or directory');
      const output = args.flags.get('output');
      return detectCommand(args.positional[0]!, typeof output === 'string' ? output : undefined, process.stderr);
    }
    case 'serve': {
      if (args.positional.length > 0) throw new UsageError(`serve takes no arguments besides options, got ${args.positional.join(' ')}`);
      const str = (name: string): string | undefined => { const v = args.flags.get(name); return typeof v === 'string' ? v : undefined; };
      const port = str('port');
      if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--port: expected a number from 0 to 65535, got ${port}`);
      return exitWhenWritten(await serveCommand({
        ...(str('config') !== undefined ? { configPath: str('config')! } : {}),
        ...(port !== undefined ? { port: Number(port) } : {}),
        ...(str('host') !== undefined ? { host: str('host')! } : {}),
        ...(str('token') !== undefined ? { token: str('token')! } : {}),
        ...(str('cors-origin') !== undefined ? { corsOrigin: str('cors-origin')! } : {}),
        progressMs: progressInterval(args.flags.get('progress')),
        err: process.stderr,
      }));
    }
    case 'config':
      process.stdout.write(`${JSON.stringify(DEFAULT_CONFIG, null, 2)}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command '${args.command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`eddy: invalid config: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`eddy: ${(e as Error).message}\n${e instanceof UsageError ? 'run eddy help for usage\n' : ''}`);
      process.exitCode = 2;
    } else if (e instanceof ListenError) {
      process.stderr.write(`eddy: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`eddy: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
