/**
 * Command-line option values read the same way by every command: durations
 * (`--progress 5s`) and ports (`--port 8080`), with the messages of a
 * usage error.
 */
import { parseDuration } from '../engine/duration.js';
import { UsageError } from '../config/usageError.js';

/** Default progress line interval of the long-running commands. */
export const DEFAULT_PROGRESS_MS = 5000;

/** `--progress D`: the interval in ms (DEFAULT_PROGRESS_MS when absent; 0 turns the line off). */
export function progressInterval(value: string | undefined): number {
  return value === undefined ? DEFAULT_PROGRESS_MS : parseDuration(value, '--progress');
}

/** `--port N`: a TCP port, 0 (any free one) to 65535. */
export function portNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port: expected a number from 0 to 65535, got ${value}`);
  return Number(value);
}
