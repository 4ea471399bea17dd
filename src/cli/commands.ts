/**
 * The `eddy` commands, each declaring its own options and arguments: the
 * command line is checked against the command's table only (an option
 * another command takes is refused, naming the commands that do), `--help`
 * prints that command's usage, and each command's code is imported only
 * when it runs (`eddy detect` does not load the server).
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../config/usageError.js';
import { closestName } from '../config/suggest.js';
import { portNumber, progressInterval } from './optionValues.js';
import { consoleFormat, type ConsoleFlags } from './consoleOptions.js';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder of the value in usage text (string options). */
  value?: string;
  description: string;
}

/** Option values as parsed: strings for string options, true for switches given. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** A command of the CLI. */
export interface Command {
  name: string;
  /** Its arguments in usage text, e.g. `<input.csv | dir>`. */
  args?: string;
  /** What it does, a few lines. */
  description: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes, and the message when the count is wrong. */
  positionals: { min: number; max: number; message: string };
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

const err = process.stderr;
const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const PROGRESS: OptionSpec = { type: 'string', value: 'D', description: 'progress line interval (default 5s; 0 = off)' };
const FLUSH_ON_STOP: OptionSpec = { type: 'boolean', description: 'emit open windows on Ctrl-C (default: they are dropped)' };
const CONFIG: OptionSpec = { type: 'string', value: 'pipeline.json', description: 'the pipeline to run (default: the embedded job)' };
const PORT: OptionSpec = { type: 'string', value: '8080', description: 'port to listen on (0 = any free one)' };
const HOST: OptionSpec = { type: 'string', value: '127.0.0.1', description: 'address to listen on' };
const WIDE: OptionSpec = { type: 'boolean', description: 'console table: every column (default: those that fit the terminal)' };
const FORMAT: OptionSpec = { type: 'string', value: 'table|ndjson', description: 'console output (default: table on a terminal, else ndjson)' };
const NO_ARGS = (name: string) => ({ min: 0, max: 0, message: `${name} takes no arguments besides options` });
/** `--wide` and `--format` as the commands take them (see consoleOptions.ts). */
const consoleFlags = (v: OptionValues): ConsoleFlags => {
  const format = consoleFormat(str(v.format));
  return { ...(v.wide === true ? { wide: true } : {}), ...(format !== undefined ? { format } : {}) };
};

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

/** Every command, in the order usage lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'run',
    description: 'Runs a pipeline (the embedded demo without --config) until its source\nends or Ctrl-C. Windows go to the sink; progress lines to stderr.',
    options: { config: CONFIG, 'flush-on-stop': FLUSH_ON_STOP, progress: PROGRESS, wide: WIDE, format: FORMAT },
    positionals: NO_ARGS('run'),
    async run(v) {
      const display = consoleFlags(v);
      const { runCommand } = await import('./runCommand.js');
      const configPath = str(v.config);
      return runCommand({
        ...(configPath !== undefined ? { configPath } : {}),
        flushOnStop: v['flush-on-stop'] === true,
        progressMs: progressInterval(str(v.progress)),
        console: display,
        err,
      });
    },
  },
  {
    name: 'demo',
    description:
      "What npm start runs: the embedded demo job (synthetic metrics, no Kafka,\nno files) behind the server, with anomalies, forecasts and thresholds.\nPrints the live dashboard's URL, then windows and progress as eddy run.\nWithout --port: 8080, or the next free port up to 8099.",
    options: { port: PORT, host: HOST, 'flush-on-stop': FLUSH_ON_STOP, progress: PROGRESS, wide: WIDE, format: FORMAT },
    positionals: NO_ARGS('demo'),
    async run(v) {
      const port = portNumber(str(v.port));
      const display = consoleFlags(v);
      const host = str(v.host);
      const { demoCommand } = await import('./demoCommand.js');
      return exitWhenWritten(
        await demoCommand({
          ...(port !== undefined ? { port } : {}),
          ...(host !== undefined ? { host } : {}),
          flushOnStop: v['flush-on-stop'] === true,
          progressMs: progressInterval(str(v.progress)),
          console: display,
          err,
        }),
      );
    },
  },
  {
    name: 'detect',
    args: '<input.csv | dir>',
    description:
      'Scores a CSV of timestamp,value with the default anomaly detector and\nwrites timestamp,value,anomaly_score (stdout without --output); a\ndirectory is mirrored into the --output directory.',
    options: { output: { type: 'string', value: 'out.csv | dir', description: 'where the scored rows go (default: stdout)' } },
    positionals: { min: 1, max: 1, message: 'detect takes one input file or directory' },
    async run(v, [input]) {
      const { detectCommand } = await import('./detectCommand.js');
      return detectCommand(input!, str(v.output), err);
    },
  },
  {
    name: 'serve',
    description:
      'Runs a pipeline behind the HTTP/WebSocket server: POST /ingest, ws /ingest,\nws /live, GET /metrics /progress /health /ready (see docs/server.md).',
    options: {
      config: CONFIG,
      port: PORT,
      host: HOST,
      token: { type: 'string', value: 'T', description: 'bearer token /ingest requires' },
      'cors-origin': { type: 'string', value: 'O', description: 'origin allowed to call the HTTP API from a browser' },
      progress: PROGRESS,
      wide: WIDE,
      format: FORMAT,
    },
    positionals: NO_ARGS('serve'),
    async run(v) {
      const port = portNumber(str(v.port));
      const display = consoleFlags(v);
      const { serveCommand } = await import('./serveCommand.js');
      const opt = (name: string, key: string) => (str(v[name]) !== undefined ? { [key]: str(v[name])! } : {});
      return exitWhenWritten(
        await serveCommand({
          ...opt('config', 'configPath'),
          ...(port !== undefined ? { port } : {}),
          ...opt('host', 'host'),
          ...opt('token', 'token'),
          ...opt('cors-origin', 'corsOrigin'),
          progressMs: progressInterval(str(v.progress)),
          console: display,
          err,
        }),
      );
    },
  },
  {
    name: 'config',
    description:
      'Prints the embedded default config (a starting point); with --schema the\nJSON Schema of config files (for editors), with --reference the config\nreference (markdown), with --check whether a config file is valid.',
    options: {
      schema: { type: 'boolean', description: 'print the JSON Schema of config files (draft 2020-12)' },
      reference: { type: 'boolean', description: 'print the config reference (docs/config-reference.md)' },
      check: { type: 'string', value: 'pipeline.json', description: "validate a config file: 'ok', or the error (exit 2)" },
    },
    positionals: NO_ARGS('config'),
    async run(v) {
      const { configCommand } = await import('./configCommand.js');
      const check = str(v.check);
      return configCommand({ schema: v.schema === true, reference: v.reference === true, ...(check !== undefined ? { check } : {}), out: process.stdout, err });
    },
  },
];

/** The command named `name`, or a usage error suggesting the closest one. */
export function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const best = closestName(name, [...COMMANDS.map((c) => c.name), 'help']);
  throw new UsageError(`unknown command '${name}'${best !== undefined ? ` (did you mean '${best}'?)` : ''}`);
}

/**
 * Parses a command's arguments (after its name) against its own table; `help`
 * is true for --help / -h. Unknown options are refused with a suggestion, or
 * the commands that take them.
 */
export function parseCommandLine(command: Command, argv: string[]): { values: OptionValues; positionals: string[]; help: boolean } {
  const options = {
    ...Object.fromEntries(Object.entries(command.options).map(([name, o]) => [name, { type: o.type }])),
    help: { type: 'boolean' as const, short: 'h' },
  };
  const { values, positionals, tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = t.name === 'help' ? { type: 'boolean' } : command.options[t.name];
    if (spec === undefined) {
      const best = closestName(t.name, Object.keys(command.options));
      const elsewhere = COMMANDS.filter((c) => c.options[t.name] !== undefined).map((c) => c.name);
      const hint =
        best !== undefined
          ? ` (did you mean --${best}?)`
          : elsewhere.length > 0
            ? ` (${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'take' : 'takes'} it)`
            : '';
      throw new UsageError(`unknown option ${t.rawName} for eddy ${command.name}${hint}`);
    }
    if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('--')))) throw new UsageError(`--${t.name} needs a value`);
    if (spec.type === 'boolean' && t.inlineValue) throw new UsageError(`--${t.name} takes no value`);
  }
  const help = values.help === true;
  if (!help && (positionals.length < command.positionals.min || positionals.length > command.positionals.max)) {
    throw new UsageError(
      positionals.length > command.positionals.max && command.positionals.max === 0
        ? `${command.positionals.message}, got ${positionals.join(' ')}`
        : command.positionals.message,
    );
  }
  return { values, positionals, help };
}

/** A command's line in usage text: `eddy detect <input.csv | dir> [--output out.csv | dir]`. */
function synopsis(c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => `[--${name}${o.type === 'string' ? ` ${o.value ?? 'V'}` : ''}]`);
  return ['eddy', c.name, ...(c.args ? [c.args] : []), ...opts].join(' ');
}

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

/** `eddy <command> --help`: its synopsis, description and options. */
export function commandHelp(c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => `  --${(name + (o.type === 'string' ? ` ${o.value ?? 'V'}` : '')).padEnd(24)} ${o.description}`);
  return [`usage: ${synopsis(c)}`, '', c.description, ...(opts.length > 0 ? ['', 'options:', ...opts] : []), ''].join('\n');
}

/** Exit codes, as every usage text states them. */
export const EXIT_CODES = 'exit codes: 0 ok · 1 the query failed or could not start (e.g. its port is in use) · 2 bad usage or config';

/** `eddy help`: every command. */
export function usage(): string {
  return [
    'eddy — real-time analytics on event streams',
    '',
    'usage:',
    ...COMMANDS.map((c) => `  ${synopsis(c)}\n${indent(c.description, '      ')}`),
    "  eddy help [command]   this text, or one command's (also eddy <command> --help)",
    '  eddy --version',
    '',
    EXIT_CODES,
  ].join('\n');
}
