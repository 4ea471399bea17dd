/**
 * `--wide` and `--format table|ndjson` of the commands that print results
 * on stdout (`eddy run`, `eddy demo`, `eddy serve`): they set the console
 * sinks of the pipeline (results, late events, matches, dead letters),
 * over what the config's console sections say. See docs/console-output.md.
 */
import type { PipelineConfig, SinkConfig } from '../config/pipelineConfig.js';
import { UsageError } from '../config/usageError.js';
import { closestName } from '../config/suggest.js';

/** The formats `--format` takes. */
export const CONSOLE_FORMATS = ['table', 'ndjson'] as const;

/** The console flags of a command line; absent ones leave the config's choice. */
export interface ConsoleFlags {
  wide?: boolean;
  format?: (typeof CONSOLE_FORMATS)[number];
}

/** `--format F`: table or ndjson (undefined when absent). */
export function consoleFormat(value: string | undefined): ConsoleFlags['format'] {
  if (value === undefined) return undefined;
  const format = CONSOLE_FORMATS.find((f) => f === value);
  if (format !== undefined) return format;
  const best = closestName(value, CONSOLE_FORMATS);
  throw new UsageError(`--format: expected ${CONSOLE_FORMATS.join(' or ')}, got ${value}${best !== undefined ? ` (did you mean ${best}?)` : ''}`);
}

/**
 * Applies the flags to every console sink of `config` (in place), and warns
 * on `err` when flags were given to a pipeline without one.
 */
export function applyConsoleFlags(config: PipelineConfig, flags: ConsoleFlags, err: { write(chunk: string): unknown }): void {
  const given = [...(flags.wide ? ['--wide'] : []), ...(flags.format !== undefined ? ['--format'] : [])];
  if (given.length === 0) return;
  const sinks = [config.sink, config.lateSink, config.matchesSink, config.deadLetter].filter(
    (s): s is Extract<SinkConfig, { type: 'console' }> => s?.type === 'console',
  );
  if (sinks.length === 0) {
    err.write(`eddy: warning: ${given.join(' and ')}: the pipeline has no console sink, so nothing is printed on stdout\n`);
    return;
  }
  for (const sink of sinks) {
    if (flags.wide) sink.wide = true;
    if (flags.format !== undefined) sink.format = flags.format;
  }
}
