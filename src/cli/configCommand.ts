/**
 * `eddy config`: prints the embedded default config (a starting point), or
 * with --schema the JSON Schema of config files (for editors), with
 * --reference the config reference (markdown, docs/config-reference.md), or
 * with --check FILE validates a config file: its warnings, then `ok`, or the
 * error (exit 2, as eddy run would refuse it).
 */
import { readFileSync } from 'node:fs';
import { builtinConfigPath, loadConfigFile } from '../config/loadConfig.js';
import { configJsonSchema } from '../config/configSchema.js';
import { configReference } from '../config/configReference.js';
import { UsageError } from '../config/usageError.js';

/** What `eddy config` prints. */
export interface ConfigCommandOptions {
  schema: boolean;
  reference: boolean;
  check?: string;
  out: { write(chunk: string): unknown };
  err: { write(chunk: string): unknown };
}

/** Runs `eddy config`; resolves with the exit code (a bad config throws its ConfigError). */
export async function configCommand(opts: ConfigCommandOptions): Promise<number> {
  const given = [opts.schema && '--schema', opts.reference && '--reference', opts.check !== undefined && '--check'].filter((x) => x !== false);
  if (given.length > 1) throw new UsageError(`eddy config takes one of --schema, --reference, --check (got ${given.join(', ')})`);
  if (opts.schema) {
    opts.out.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  } else if (opts.reference) {
    opts.out.write(configReference());
  } else if (opts.check !== undefined) {
    const { config } = loadConfigFile(opts.check);
    for (const w of config.warnings) opts.err.write(`eddy: warning: ${w}\n`);
    opts.out.write(`${opts.check}: ok\n`);
  } else {
    opts.out.write(`${JSON.stringify(JSON.parse(readFileSync(builtinConfigPath('run'), 'utf8')), null, 2)}\n`);
  }
  return 0;
}
