/**
 * Validation of JSON configs: one clear error that names the field (as a
 * path like `processing.window_size`) and says what was expected. The
 * checks of each kind of value live in fieldTable.ts.
 */
import { closestName } from './suggest.js';

/** A config value that is missing or of the wrong shape. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path}: ${expected}`);
    this.name = 'ConfigError';
  }
}

/** JSON-ish description of a value for messages: `"5x"`, `12`, `an object`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Throws for the first key of `obj` not in `allowed` (nor in `opts.accepted`,
 * keys taken but not offered), suggesting the closest allowed one, else
 * listing them; `opts.elsewhere` may add where the key belongs instead.
 */
export function rejectUnknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  opts: { accepted?: readonly string[]; elsewhere?: (key: string) => string | undefined } = {},
): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key) || opts.accepted?.includes(key)) continue;
    const best = closestName(key, allowed);
    const other = best === undefined ? opts.elsewhere?.(key) : undefined;
    const hint = best !== undefined ? ` (did you mean '${best}'?)` : ` (allowed: ${allowed.join(', ')}${other !== undefined ? `; ${other}` : ''})`;
    throw new ConfigError(path ? `${path}.${key}` : key, `unknown field${hint}`);
  }
}
