/**
 * Config files: a user's (`--config pipeline.json`) and the built-in ones
 * (src/config/builtin/*.json — the job `eddy run` runs without --config, the
 * demo's, and the one `eddy serve` runs), read and validated the same way.
 * tsc copies the built-in files next to this module in dist/, so they are
 * found from src/ (tests) and from dist/ (the package) alike.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './configError.js';
import { parsePipelineConfig, type ConfigEnvironment, type PipelineConfig, type PipelineDocument } from './pipelineConfig.js';
import { UsageError } from './usageError.js';

/** The built-in configs: `run` (eddy run without --config), `demo` (eddy demo), `serve` (eddy serve without --config). */
export type BuiltinConfig = 'run' | 'demo' | 'serve';

/** Where a built-in config file is. */
export function builtinConfigPath(name: BuiltinConfig): string {
  return fileURLToPath(new URL(`./builtin/${name}.json`, import.meta.url));
}

/** A config file read and validated: the config, the document as written, and where its relative paths resolve from (its folder). */
export interface LoadedConfig {
  config: PipelineConfig;
  document: PipelineDocument;
  baseDir: string;
}

/** Reads and validates a config file; a missing file is a UsageError, bad JSON or a bad config a ConfigError. */
export function loadConfigFile(configPath: string, env: ConfigEnvironment = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${configPath}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('config', `${configPath} is not valid JSON (${(e as Error).message})`);
  }
  return { config: parsePipelineConfig(doc, env), document: doc as PipelineDocument, baseDir: dirname(resolve(configPath)) };
}

/** A built-in config, read and validated as a user's file; its (absent) relative paths would resolve from the working directory. */
export function loadBuiltinConfig(name: BuiltinConfig, env: ConfigEnvironment = process.env): LoadedConfig {
  return { ...loadConfigFile(builtinConfigPath(name), env), baseDir: process.cwd() };
}
