/**
 * Validation of JSON configs: one clear error that names the field (as a
 * path like `processing.window_size`) and says what was expected.
 */
import { closestName } from './suggest.js';

/** A config value that is missing or of the wrong shape. */
export class ConfigError extends Error {
  constructor(readonly path: string, readonly expected: string) {
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

/** Throws for the first key of `obj` not in `allowed`, suggesting the closest allowed one. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const best = closestName(key, allowed);
    const hint = best !== undefined ? ` (did you mean '${best}'?)` : ` (allowed: ${allowed.join(', ')})`;
    throw new ConfigError(path ? `${path}.${key}` : key, `unknown field${hint}`);
  }
}

/** The value as a plain object, or a ConfigError. */
export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path, `expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

/** A non-empty string, or a ConfigError. */
export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(path, `expected a non-empty string, got ${describe(value)}`);
  return value;
}

/** A finite number within [min, max], optionally whole, or a ConfigError. */
export function asNumber(value: unknown, path: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  const what = `${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigError(path, `expected ${what}, got ${describe(value)}`);
  }
  return value;
}

/** true or false, or a ConfigError. */
export function asBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

/** One of the listed strings, or a ConfigError. */
export function asChoice<T extends string>(value: unknown, choices: readonly T[], path: string): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new ConfigError(path, `expected one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A non-empty array of non-empty strings, or a ConfigError. */
export function asStringList(value: unknown, path: string, allowEmpty = false): string[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) throw new ConfigError(path, `expected a${allowEmpty ? 'n' : ' non-empty'} array of strings, got ${describe(value)}`);
  return value.map((v, i) => asString(v, `${path}[${i}]`));
}
