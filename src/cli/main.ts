#!/usr/bin/env node
/**
 * The `eddy` command line: `eddy <command> [arguments] [options]`, each
 * command with its own options (src/cli/commands.ts), `eddy help [command]`,
 * `eddy <command> --help`, `eddy --version`. Errors end the process with the
 * exit code of their cause: 2 for usage and config errors, 1 for a query
 * that failed or could not start.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/usageError.js';
import { ListenError } from '../server/listenError.js';
import { ConfigError } from '../config/configError.js';
import { COMMANDS, commandHelp, findCommand, parseCommandLine, usage } from './commands.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const about = first === 'help' && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    process.stdout.write(about ? commandHelp(about) : `${usage()}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first.startsWith('-')) throw new UsageError(`expected a command first (${COMMANDS.map((c) => c.name).join(', ')}), got ${first}`);
  const command = findCommand(first);
  const { values, positionals, help } = parseCommandLine(command, rest);
  if (help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(values, positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
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
