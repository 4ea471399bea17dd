/**
 * A small argv parser: `command [positional…] [--flag] [--name value | --name=value]`.
 * Unknown flags are errors (caught by the caller and shown with usage).
 */
import { UsageError } from '../config/usageError.js';

/** Parsed command line. */
export interface ParsedArgs {
  command: string | undefined;
  positional: string[];
  flags: Map<string, string | true>;
}


/**
 * Parses argv (without node and script). `valued` lists flags that take a
 * value, `switches` those that do not.
 */
export function parseArgs(argv: string[], valued: readonly string[], switches: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (valued.includes(name)) {
        const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
        flags.set(name, value);
      } else if (switches.includes(name)) {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`);
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else if (arg === '-h') {
      flags.set('help', true);
    } else if (command === undefined) {
      command = arg;
    } else {
      positional.push(arg);
    }
  }
  return { command, positional, flags };
}
